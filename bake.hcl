# bake's own dev environment: `bake dev` in this repository gives you a
# container with Node 20 and the tools the test suite needs.

variable "NODE_MAJOR" {
  default     = 20
  description = "Node.js major version bake is developed on"
}

target "devbox" {
  description       = "Container for hacking on bake"
  dockerfile-inline = <<-EOT
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends \
        nodejs npm git ca-certificates busybox-static tmux \
     && rm -rf /var/lib/apt/lists/*
    WORKDIR /src
  EOT
  args = { NODE_MAJOR = NODE_MAJOR }
  tags = ["bake/devbox:node${NODE_MAJOR}"]
}

group "default" {
  targets = ["devbox"]
}

service "dev" {
  target      = "devbox"
  interactive = true
  shell       = ["/bin/bash"]
  workdir     = "/src"
  volumes     = [".:/src"]
}
