#!/usr/bin/env bash
# Builds the redkeep image from this checkout without any registry: makes debian:bookworm-slim
# locally if it is missing (make-base-image.sh), then builds with the legacy builder
# (DOCKER_BUILDKIT=0: no BuildKit frontend image to pull) and --network host (RUN apt-get).
# The context is the source tree as a tar stream without build*/ directories and .git, so a
# developer checkout with its build trees (gigabytes) builds as fast as a fresh clone.
#
# Usage: docker/build-image.sh [TAG]       (TAG defaults to redkeep:lab, the compose lab's image)
set -euo pipefail
tag="${1:-redkeep:lab}"
root="$(cd "$(dirname "$0")/.." && pwd)"

"$root/docker/make-base-image.sh" debian:bookworm-slim
tar -C "$root" -c --exclude='./build*' --exclude=./.git --exclude='*/__pycache__' . |
  DOCKER_BUILDKIT=0 docker build --network host --build-arg BUILD_JOBS="${BUILD_JOBS:-2}" \
    -f docker/Dockerfile -t "$tag" -
