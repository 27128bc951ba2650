import pytest
from calc import add

def test_adds():
    assert add(2, 3) == 5

def test_subtracts():
    assert 3 - 2 == 1

@pytest.mark.skip(reason="later")
def test_later():
    pass
