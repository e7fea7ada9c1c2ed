"""core.addresses.is_public_address: the network address guard of the gateway and the listing form."""

import pytest

from core.addresses import is_public_address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fc00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "ff02::1",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:5",  # local-use NAT64 of 10.0.0.5
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "fec0::1",  # site-local
        "::7f00:1",  # IPv4-compatible 127.0.0.1
    ],
)
def test_loopback_private_link_local_and_multicast_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::"],
)
def test_internet_addresses_are_public(address):
    assert is_public_address(address)


@pytest.mark.parametrize("name", ["localhost", "example.com", ""])
def test_a_host_name_is_not_an_address_and_raises_value_error(name):
    """The listing form catches this to tell names (checked when the gateway connects) from addresses."""
    with pytest.raises(ValueError):
        is_public_address(name)
