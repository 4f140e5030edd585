"""What the tests share: the checkout's corpus, the external-tool policy, clients, servers and the release install."""
