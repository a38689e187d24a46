"""Each KB test gets its own node index directory, as a fresh web node would."""

import pytest


@pytest.fixture(autouse=True)
def _kb_index_dir(app, tmp_path):
    previous = app.config["KB_INDEX_DIR"]
    app.config["KB_INDEX_DIR"] = str(tmp_path / "kb-index")
    yield
    app.config["KB_INDEX_DIR"] = previous
