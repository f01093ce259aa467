"""Every response is nosniff and keeps its URL from other hosts; the console and the portal
carry a Content-Security-Policy that no other site may frame them under; a custom
template's frame document has a policy of its own (quorum/security_headers.py)."""

from __future__ import annotations

import pytest

from quorum.http.security_headers import FRAME_POLICY, PAGE_POLICY


def directives(policy: str) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in policy.split(";"))
    return {name: value for name, _, value in pairs}


@pytest.mark.parametrize("path", ["/", "/work"])
def test_the_pages_cannot_be_framed_and_run_only_the_servers_scripts(quorum_client, path):
    response = quorum_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "https:" in policy["img-src"]  # signed URLs of an S3 store name another host
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_template_frame_is_sandboxed_and_framed_by_the_portal_alone(quorum_client):
    response = quorum_client.get("/work/frame")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy == {"sandbox": "allow-scripts", "frame-ancestors": "'self'"}
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert 'type !== "quorum:render"' in response.text


@pytest.mark.parametrize("path", ["/graphql?query={__typename}", "/healthz", "/static/quorum.css"])
def test_other_responses_are_nosniff_without_a_page_policy(quorum_client, path):
    response = quorum_client.get(path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "content-security-policy" not in response.headers


def test_the_policies_are_the_documented_ones():
    assert directives(PAGE_POLICY)["connect-src"] == "'self'"
    assert directives(FRAME_POLICY)["sandbox"] == "allow-scripts"
