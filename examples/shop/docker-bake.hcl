# A small shop: a shared base image, an API and a web front end built on it,
# a dev container, and the services `bake dev` runs.

variable "TAG" {
  default     = "dev"
  description = "Tag for every image this file builds"
}

variable "REGISTRY" {
  default = "shop"
}

variable "NODE_VERSIONS" {
  type        = list(string)
  default     = ["20", "22"]
  description = "Node.js versions the API is tested on"
  validation {
    condition     = length(NODE_VERSIONS) > 0
    error_message = "NODE_VERSIONS needs at least one version."
  }
}

function "image" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}

group "default" {
  targets = ["api", "web"]
}

group "ci" {
  description = "Everything CI builds"
  targets     = ["default", "api-test"]
}

target "_common" {
  args = {
    BUILD_TAG = TAG
  }
  labels = {
    "org.opencontainers.image.source" = "https://example.invalid/shop"
  }
}

target "base" {
  inherits = ["_common"]
  context  = "base"
  tags     = [image("base")]
}

target "api" {
  inherits    = ["_common"]
  description = "The shop's HTTP API"
  context     = "api"
  contexts    = { base = "target:base" }
  tags        = [image("api")]
}

target "web" {
  inherits    = ["_common"]
  description = "The web front end"
  context     = "web"
  contexts    = { base = "target:base" }
  tags        = [image("web"), "${REGISTRY}/web:latest"]
  args        = { API_URL = "http://api:8080" }
}

target "api-test" {
  inherits = ["api"]
  name     = "api-test-node${replace(v, ".", "-")}"
  matrix   = { v = NODE_VERSIONS }
  target   = "test"
  args     = { NODE_VERSION = v }
  tags     = []
  output   = ["type=cacheonly"]
}

target "devbox" {
  inherits          = ["_common"]
  description       = "The container you work in"
  dockerfile-inline = <<-EOT
    FROM base
    RUN echo "welcome to the shop" > /etc/motd
    WORKDIR /workspace
  EOT
  contexts          = { base = "target:base" }
  tags              = [image("devbox")]
}

service "db" {
  image   = "busybox:latest"
  # Ready a moment after it starts, as a real database is: api waits for it.
  # Its data (a log of its starts) lives in a named volume: it outlives the session unless stopped with --volumes.
  command = ["sh", "-c", "echo db starting; date >> /data/starts; sleep 1; touch /tmp/ready; echo db ready; while true; do nc -l -p 5432 -e echo ready; done"]
  volumes = ["dbdata:/data"]
  # A shell as PID 1 ignores SIGTERM: under an init, stop and restart take well under a second, not the 10 s grace.
  init    = true
  healthcheck {
    test     = ["CMD", "test", "-f", "/tmp/ready"]
    interval = "500ms"
  }
}

service "api" {
  target     = "api"
  ports      = ["8080:8080"]
  depends_on = ["db"]
  environment = {
    DATABASE_URL = "postgres://db:5432/shop"
  }
}

service "dev" {
  target      = "devbox"
  interactive = true
  shell       = ["/bin/sh"]
  workdir     = "/workspace"
  volumes     = [".:/workspace"]
  depends_on  = ["api"]
}
