"""Server-side request forgery: the address guard, and the fetcher under it against real
loopback servers (every spelling of a loopback address, redirects, changing DNS answers)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence

import httpcore
import pytest

from index.config import IndexSettings
from index.errors import ArticleReadError, UrlRefused
from index.models import Article, ReadFailure
from index.readers.fetch import Fetcher
from index.readers.guard import AddressGuard, GuardedBackend
from index.readers.inputs import read_inputs
from tests.index.readers.servers import Reply, ScriptedServer


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("::ffff:192.168.1.1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1%lo", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("169.254.169.254", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("240.0.0.1", "private"),  # reserved (Python counts it private)
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    assert kind in (AddressGuard().refusal(address) or "")


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert AddressGuard().refusal(address) is None


def test_allow_private_opens_all_but_metadata_which_only_a_listed_network_opens() -> None:
    guard = AddressGuard(allow_private=True)
    assert guard.refusal("127.0.0.1") is None
    assert guard.refusal("10.0.0.1") is None
    assert "metadata" in (guard.refusal("169.254.169.254") or "")
    assert "metadata" in (guard.refusal("fd00:ec2::254") or "")
    listed = AddressGuard(allowed_networks=["169.254.169.254/32", "10.1.0.0/16"])
    assert listed.refusal("169.254.169.254") is None
    assert listed.refusal("::ffff:10.1.2.3") is None
    assert listed.refusal("10.2.0.1")


def test_settings_build_the_guard() -> None:
    assert IndexSettings().url_guard().refusal("127.0.0.1")  # type: ignore[call-arg]
    opened = IndexSettings(allow_private_urls=True).url_guard()  # type: ignore[call-arg]
    assert opened.refusal("127.0.0.1") is None
    listed = IndexSettings(url_allowed_networks="127.0.0.1/32, fd00::/8").url_guard()  # type: ignore[call-arg]
    assert listed.refusal("127.0.0.1") is None and listed.refusal("127.0.0.2")
    with pytest.raises(ValueError, match="not-a-network"):
        IndexSettings(url_allowed_networks="not-a-network")  # type: ignore[call-arg]


# --- the guard where connections are opened -------------------------------------------------


class ChangingDns:
    """A resolver whose answer changes after the first question (DNS rebinding)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]


class RecordingBackend(GuardedBackend):
    """Records where it would connect instead of connecting."""

    opened: list[str]

    def open(
        self,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.NetworkStream:
        self.opened = [*getattr(self, "opened", []), address]
        raise httpcore.ConnectError("not really connecting")


def test_the_connection_goes_to_the_checked_address_not_a_new_answer() -> None:
    dns = ChangingDns(["93.184.215.14"], ["127.0.0.1"])
    backend = RecordingBackend(AddressGuard(), dns)
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("rebind.example", 80)
    assert backend.opened == ["93.184.215.14"] and dns.asked == 1
    with pytest.raises(UrlRefused, match=r"rebind.example \(127.0.0.1\) is a loopback"):
        backend.connect_tcp("rebind.example", 80)  # the next connection asks again: refused
    assert backend.opened == ["93.184.215.14"]


def test_an_answer_with_any_private_address_is_refused_whole() -> None:
    backend = RecordingBackend(AddressGuard(), ChangingDns(["93.184.215.14", "10.0.0.7"]))
    with pytest.raises(UrlRefused, match=r"10\.0\.0\.7"):
        backend.connect_tcp("mixed.example", 443)
    assert not hasattr(backend, "opened")


@pytest.fixture
def page_server() -> Iterable[ScriptedServer]:
    with ScriptedServer({"/a.html": Reply()}) as server:
        yield server


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "0177.1", "0x7f.0.0.1", "127.1", "[::ffff:127.0.0.1]",
     "[::ffff:7f00:1]", "0"],
)  # fmt: skip
def test_every_spelling_of_loopback_is_refused(page_server: ScriptedServer, host: str) -> None:
    url = f"http://{host}:{page_server.port}/a.html"
    with Fetcher(guard=AddressGuard()) as fetcher, pytest.raises(UrlRefused) as caught:
        fetcher.get(url)
    assert caught.value.origin == url
    assert (
        "refused:" in caught.value.reason and "NEWSDESK_ALLOW_PRIVATE_URLS" in caught.value.reason
    )
    assert page_server.hits == []
    with Fetcher(guard=AddressGuard(allow_private=True)) as fetcher:
        if ":" not in host:  # IPv6 may be off in the test machine
            assert b"harbour ferry" in fetcher.get(url).data


@pytest.mark.parametrize("host", ["[::1]", "[::]", "169.254.169.254", "[fd00:ec2::254]"])
def test_other_non_public_hosts_are_refused_before_connecting(host: str) -> None:
    with Fetcher(guard=AddressGuard(), timeout=2) as fetcher, pytest.raises(UrlRefused):
        fetcher.get(f"http://{host}:9/latest/meta-data/")


def test_octal_dotted_quad_is_an_invalid_url() -> None:
    with Fetcher(guard=AddressGuard()) as fetcher, pytest.raises(ArticleReadError, match="invalid"):
        fetcher.get("http://0177.0.0.1/")


def test_a_redirect_from_an_allowed_host_to_a_private_one_is_refused() -> None:
    with ScriptedServer({"/secret": Reply()}, host="127.0.0.2") as private:
        moved = Reply(302, {"Location": f"{private.base}/secret"}, b"")
        with ScriptedServer({"/start": moved}) as allowed:
            guard = AddressGuard(allowed_networks=["127.0.0.1/32"])
            with Fetcher(guard=guard) as fetcher, pytest.raises(UrlRefused) as caught:
                fetcher.get(f"{allowed.base}/start")
            assert allowed.hits == ["/start"] and private.hits == []
            assert caught.value.origin == f"{allowed.base}/start"
            assert "127.0.0.2 is a loopback address" in caught.value.reason
            open_guard = AddressGuard(allowed_networks=["127.0.0.0/29"])
            with Fetcher(guard=open_guard) as fetcher:
                assert fetcher.get(f"{allowed.base}/start").url == f"{private.base}/secret"


def test_a_redirect_to_cloud_metadata_is_refused_even_with_private_urls_allowed() -> None:
    moved = Reply(301, {"Location": "http://169.254.169.254/latest/meta-data/iam"}, b"")
    with ScriptedServer({"/start": moved}) as server:
        results = list(
            read_inputs([f"{server.base}/start"], guard=AddressGuard(allow_private=True))
        )
    assert isinstance(results[0], ReadFailure)
    assert "169.254.169.254 is a cloud metadata address" in results[0].reason


def test_read_inputs_without_a_guard_still_reads_loopback_for_the_command_line() -> None:
    body = gzip.compress(b"Ferry back\nThe ferry is back in service after repairs.\n")
    reply = Reply(headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"}, body=body)
    with ScriptedServer({"/a.txt": reply}) as server:
        (article,) = read_inputs([f"{server.base}/a.txt"])
    assert isinstance(article, Article) and article.title == "Ferry back"
