"""One table of names: optimizer titles, schedule titles and GD modes."""

from model.analysis.gd_variants import VARIANTS
from model.optim.names import GD_MODES, OPTIMIZER_TITLES, SCHEDULE_TITLES, gd_mode, mode_batch_size
from model.optim.optimizers import OPTIMIZERS
from model.optim.schedules import SCHEDULES
from model.train.trainer import TrainSettings


def test_every_optimizer_and_schedule_has_one_title():
    assert set(OPTIMIZER_TITLES) == set(OPTIMIZERS)
    assert set(SCHEDULE_TITLES) == set(SCHEDULES)


def test_gd_modes_follow_the_lecture_and_round_trip():
    assert list(GD_MODES) == ["batch", "stochastic", "mini-batch"] == list(VARIANTS)
    assert gd_mode(None) == "batch" and gd_mode(1) == "stochastic" and gd_mode(8) == "mini-batch"
    assert gd_mode(100, n=100) == "batch" and gd_mode(99, n=100) == "mini-batch"
    for mode in GD_MODES:
        assert gd_mode(mode_batch_size(mode, 16)) == mode
    assert TrainSettings(batch_size=4).mode(10) == "mini-batch" and TrainSettings().mode(10) == "batch"
