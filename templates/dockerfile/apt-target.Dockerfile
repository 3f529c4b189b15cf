{% if target_packages -%}
# Headers and libraries for the target's architecture (mab apt-get installs them for TARGETPLATFORM).
RUN mab apt-get install -y{% for p in target_packages %} {{ p | sh }}{% endfor %}
{% endif -%}
