{% if target_packages -%}
# Headers and libraries for the target's architecture (mab apt-get installs them for TARGETPLATFORM;
# for a native build it is apt-get itself). The same apt caches as above: the next platform downloads
# only its own packages.
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update \
 && mab apt-get install -y{% for p in target_packages %} {{ p | sh }}{% endfor %}
{% endif -%}
