# The phantun-runtime container image: upstream phantun, built unmodified, static and stripped, run by
# the phantun-run PID-1 launcher, in an image that is FROM scratch (no shell, no libc, no CA bundle).
#
# The root-level Dockerfile is a byte-for-byte copy of this file (BuildKit cannot read a Dockerfile
# that is a symbolic link), so `docker build -t phantun-runtime .` works from the repository root;
# tests/image checks that the two stay identical. Edit image/Dockerfile, then copy it over.
#
# Build arguments (all optional):
#   PHANTUN_OWNER, PHANTUN_REPO  the GitHub repository phantun is built from (default dndx/phantun);
#                                set them to build a fork
#   PHANTUN_COMMIT               the full 40-hex commit to build; default: `git clone` of the default
#                                branch (HEAD at build time, printed in the build log)
#   PHANTUN_TARBALL_SHA256       build from the GitHub tarball of PHANTUN_COMMIT (or of the default
#                                branch's HEAD, resolved with `git ls-remote`) instead of a clone, after
#                                checking that the tarball has this sha256
#   IMAGE_SOURCE, IMAGE_VERSION, IMAGE_REVISION
#                                the OCI source, version and revision labels (image/build.sh fills
#                                them in from the checkout)
#   DEBIAN_IMAGE, RUST_IMAGE     the builder base images (pin them by digest where that matters)
#
# Stages. The two *-dist stages are the only ones the final image copies from, and each can be
# replaced by a local folder with `--build-context NAME=DIR` (podman >= 4.3, docker buildx / Docker
# >= 23). A stage nothing needs is not built, so with both replaced no base image is pulled and
# nothing is fetched: that is the offline path (image/build.sh --local; CI and tests/image use it).
#   phantun-build  (network) fetches and verifies upstream, builds it with cargo for the target
#   phantun-dist   bin/phantun_client, bin/phantun_server, COMMIT, SHA256SUMS
#   runtime-build  (network) third_party/setup.sh --build (the build's inputs only) and the CI's Bazel
#                  + Zig build of //cmd:phantun-runtime
#   runtime-dist   bin/phantun-runtime, bin/<applet> -> phantun-runtime, SHA256SUMS
#   image          the final image
# The builders run on the build machine's platform and cross-compile for TARGETPLATFORM
# (linux/amd64 or linux/arm64), so `docker buildx build --platform linux/amd64,linux/arm64` needs no
# emulation. The build machine must be linux/amd64: third_party/pins.bzl pins Zig for x86_64 only.

ARG DEBIAN_IMAGE=debian:bookworm
ARG RUST_IMAGE=rust:1-bookworm
ARG PHANTUN_OWNER=dndx
ARG PHANTUN_REPO=phantun
ARG PHANTUN_COMMIT=
ARG PHANTUN_TARBALL_SHA256=

# ------------------------------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS phantun-build
ARG PHANTUN_OWNER
ARG PHANTUN_REPO
ARG PHANTUN_COMMIT
ARG PHANTUN_TARBALL_SHA256
ARG TARGETARCH
COPY image/build-phantun.sh /usr/local/libexec/phantun-image/build-phantun.sh
# Build arguments reach RUN as environment variables.
RUN bash /usr/local/libexec/phantun-image/build-phantun.sh /dist

FROM scratch AS phantun-dist
COPY --from=phantun-build /dist/ /

# ------------------------------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM ${DEBIAN_IMAGE} AS runtime-build
WORKDIR /src
# Only what //cmd:phantun-runtime is built from (never third_party/.cache or bazel-* of a checkout).
COPY WORKSPACE BUILD.bazel .bazelrc .bazelignore ./
COPY third_party/setup.sh third_party/pins.sh third_party/pins.bzl third_party/cached_archive.bzl third_party/BUILD.bazel third_party/
COPY third_party/platforms/ third_party/platforms/
COPY third_party/bazel/ third_party/bazel/
COPY third_party/zig/ third_party/zig/
COPY image/build-runtime.sh /usr/local/libexec/phantun-image/build-runtime.sh
# The pinned toolchain first (the same layer serves every target platform) ...
RUN bash /usr/local/libexec/phantun-image/build-runtime.sh setup
COPY cmd/ cmd/
COPY runtime/ runtime/
# ... then the binary, for the target platform.
ARG TARGETARCH
RUN bash /usr/local/libexec/phantun-image/build-runtime.sh build /dist

FROM scratch AS runtime-dist
COPY --from=runtime-build /dist/ /

# ------------------------------------------------------------------------------------------------
FROM scratch AS image
COPY --from=phantun-dist /bin/phantun_client /bin/phantun_server /usr/local/bin/
COPY --from=runtime-dist /bin/ /usr/local/bin/
ARG PHANTUN_OWNER
ARG PHANTUN_REPO
ARG PHANTUN_COMMIT
ARG PHANTUN_TARBALL_SHA256
ARG IMAGE_SOURCE=
ARG IMAGE_VERSION=0.1.0
ARG IMAGE_REVISION=
LABEL org.opencontainers.image.title="phantun-runtime" \
      org.opencontainers.image.description="Upstream phantun (unmodified, static) started by the phantun-run PID-1 launcher; FROM scratch" \
      org.opencontainers.image.source="${IMAGE_SOURCE}" \
      org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.revision="${IMAGE_REVISION}" \
      org.opencontainers.image.base.name="scratch" \
      phantun-runtime.upstream.repository="https://github.com/${PHANTUN_OWNER}/${PHANTUN_REPO}" \
      phantun-runtime.upstream.commit="${PHANTUN_COMMIT:-unpinned: the default branch at build time (see the build log)}" \
      phantun-runtime.upstream.tarball-sha256="${PHANTUN_TARBALL_SHA256}"
# MODE=client|server picks the program; every argument goes to phantun unchanged.
ENTRYPOINT ["/usr/local/bin/phantun-run"]
