import pytest

# The model and the checks assert outside test modules: have pytest explain their failures too.
pytest.register_assert_rewrite("tests.property.checks", "tests.property.model")
