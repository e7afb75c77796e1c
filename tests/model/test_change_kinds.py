"""The dependency table reaches exactly the views that declare a kind."""

import pytest

from app import change_kinds as ck


def test_dispatch_reaches_only_readers():
    calls = []
    t = ck.DependencyTable()
    t.add("loss surface", [ck.NETWORK, ck.DATA], lambda k: calls.append(("surface", k)))
    t.add("lr label", [ck.SETTINGS_LR], lambda k: calls.append(("lr", k)))
    assert t.dispatch(ck.SETTINGS_LR) == ["lr label"]
    assert calls == [("lr", ck.SETTINGS_LR)]
    assert t.dispatch(ck.DATA) == ["loss surface"]
    assert t.dispatch(ck.DOCUMENT) == ["loss surface", "lr label"]
    assert t.readers(ck.WEIGHTS) == []


def test_unknown_kind_and_duplicate_view_refused():
    t = ck.DependencyTable()
    with pytest.raises(ValueError, match="unknown change kind"):
        t.add("x", ["settings"], print)
    t.add("x", [ck.DATA], print)
    with pytest.raises(ValueError, match="already"):
        t.add("x", [ck.DATA], print)
