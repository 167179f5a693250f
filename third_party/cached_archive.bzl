"""cached_archive: an archive that third_party/setup.sh has put in third_party/.cache/downloads,
unpacked by Bazel after it has checked the pinned sha256.

Bazel itself never reaches the network for it: the file is read from the cache (a file:// URL, so
Bazel's own download code checks the hash and caches the result), and a missing file stops the
build with the command that fetches it. The pins live in third_party/pins.bzl.
"""

def cached_file(rctx, name):
    """The absolute path of `name` in the download cache, or a failure saying how to get it."""
    workspace = rctx.path(Label("@//:WORKSPACE")).dirname
    path = workspace.get_child("third_party").get_child(".cache").get_child("downloads").get_child(name)
    if not path.exists:
        fail("%s is missing: run third_party/setup.sh to fetch and verify the build's inputs" % path)
    return path

def _cached_archive_impl(rctx):
    rctx.download_and_extract(
        url = "file://%s" % cached_file(rctx, rctx.attr.file),
        sha256 = rctx.attr.sha256,
        stripPrefix = rctx.attr.strip_prefix,
    )

cached_archive = repository_rule(
    implementation = _cached_archive_impl,
    attrs = {
        "file": attr.string(mandatory = True, doc = "the archive's name in third_party/.cache/downloads"),
        "sha256": attr.string(mandatory = True),
        "strip_prefix": attr.string(doc = "the archive's top folder, dropped when unpacking"),
    },
)
