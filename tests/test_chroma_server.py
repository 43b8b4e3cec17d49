"""Scaling out: the vector store on a real Chroma server (`chroma run`) instead of local files."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import index
from assistant.retrieval import Searcher


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


class TestChromaServer:
    def test_build_and_search_on_the_server(self, chroma_server, copy_index, compendium):
        settings = copy_index(chroma_url=chroma_server)
        built = index.build(settings, show_progress=False)
        import chromadb

        client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
        collection = client.get_collection(built.manifest["collection"])
        assert collection.count() == len(built.chunks)
        assert not (built.store / "chroma").exists()  # nothing written locally for vectors

        reopened = index.open_index(settings, rebuild=False)
        hits = Searcher(reopened, compendium).search("怎样组建外卖骑手工会？").hits
        assert hits[0].case.id == "2017-A3-2"

    def test_rebuild_replaces_the_old_collection(self, chroma_server, copy_index):
        settings = copy_index(chroma_url=chroma_server)
        first = index.build(settings, show_progress=False)
        second = index.build(settings, show_progress=False)
        import chromadb

        client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
        names = {c.name for c in client.list_collections()}
        assert second.manifest["collection"] in names
        assert first.manifest["collection"] not in names
