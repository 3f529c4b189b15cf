{% if host_packages -%}
# Tools that run on the build machine; mab points the compilers at the target.
# Versions come from the build image's Debian release, so they are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends{% for p in host_packages %} {{ p | sh }}{% endfor %} \
 && rm -rf /var/lib/apt/lists/*
{% endif -%}
