"""Demo data steps that apps add to ``seed_demo``: the registry builds organisations,
people and products, then each registered step adds its app's data (credit records,
codes …) with the builder's seeded random generator, so the dataset stays
reproducible without the registry knowing the other apps."""

_STEPS = []


def register(step):
    """``step(builder)``; runs inside the seeding transaction, in registration order."""
    _STEPS.append(step)
    return step


def run_steps(builder):
    for step in _STEPS:
        step(builder)
