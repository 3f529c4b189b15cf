{% if target_packages -%}
# Headers and libraries for the target's architecture (mab apt-get installs them for TARGETPLATFORM;
# for a native build it is apt-get itself, which needs the package lists the step above removed).
RUN apt-get update \
 && mab apt-get install -y{% for p in target_packages %} {{ p | sh }}{% endfor %} \
 && rm -rf /var/lib/apt/lists/*
{% endif -%}
