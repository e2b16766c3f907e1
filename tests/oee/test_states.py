from oee.states import STOPPED, Category, category_of


def test_packml_numbers_map_as_the_standard_names_them():
    assert category_of(number=6) == Category.RUNNING  # Execute
    assert category_of(number=5) == Category.IDLE  # Suspended: starved or blocked
    assert category_of(number=9) == Category.DOWN  # Aborted
    assert category_of(number=11) == Category.DOWN  # Held
    assert category_of(number=2) == STOPPED  # settled against the calendar


def test_opc_40001_names_and_the_operation_mode():
    assert category_of(text="Executing") == Category.RUNNING
    assert category_of(text="OutOfService") == Category.DOWN
    assert category_of(text="NotExecuting", operation_mode="Processing") == Category.IDLE
    assert (
        category_of(text="NotExecuting", operation_mode="SetupTeardownRefitting") == Category.SETUP
    )
    assert category_of(text="NotExecuting", operation_mode="Maintenance") == Category.PLANNED_STOP


def test_what_no_table_knows_is_unmapped_never_guessed():
    assert category_of(number=42) == Category.UNMAPPED
    assert category_of(number=6.5) == Category.UNMAPPED
    assert category_of(number=None) == Category.UNMAPPED
    assert category_of(text="Jammed") == Category.UNMAPPED


def test_an_override_wins_and_a_bad_override_target_is_unmapped():
    overrides = {"6": "down", "JAM": "down", "7": "nonsense"}
    assert category_of(number=6, overrides=overrides) == Category.DOWN
    assert category_of(text="JAM", overrides=overrides) == Category.DOWN
    assert category_of(number=7, overrides=overrides) == Category.UNMAPPED
