# Stage "mab": the cross-build helper, copied into the build stage. It runs on the build machine, so its
# image is pulled for the build platform.
FROM --platform=$BUILDPLATFORM ${MAB_IMAGE} AS mab
