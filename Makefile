# Food-delivery platform: the everyday commands. `make` alone lists them.
# Everything that runs the platform goes through scripts/platform (see
# `scripts/platform --help` for its environment variables: ports, folders).

SHELL := /bin/bash
.DEFAULT_GOAL := help

RELEASE_DIR := build/release
TEST_DIR    := build/test
SANITIZE_DIR := build/sanitize
FD_NATS_PORT ?= 4222
export FD_NATS_PORT

.PHONY: help deps build web images up cluster down status wipe test test-sanitize events lag observe rebuild-view bench

help:
	@echo "Targets:"
	@echo "  make up       install missing packages, build (Release, $(RELEASE_DIR)) and start"
	@echo "                the platform: nats, services, gateway (http://127.0.0.1:8088);"
	@echo "                each service one process on its own SQLite file (embedded profile)"
	@echo "  make cluster  the same in the cluster profile: PostgreSQL 15 (a database and a"
	@echo "                role per service), two processes per service behind the gateway"
	@echo "                (FD_REPLICAS=3 for three), three NATS nodes (nats-1..3), gateway"
	@echo "                With FD_CONTAINERS=1 (make up / make cluster FD_CONTAINERS=1) each part"
	@echo "                runs as a container of the images below (built first, no smoke test)"
	@echo "                With FD_BUS=kafka (make up / make cluster FD_BUS=kafka) the events travel over"
	@echo "                Kafka: a test broker (librdkafka's mock cluster, in memory) instead of NATS"
	@echo "  make images   build the container images with podman (deploy/images/; base made"
	@echo "                with mmdebstrap on first use) and smoke-test each: scripts/images"
	@echo "  make down     stop every part of whichever profile runs"
	@echo "  make status   show which parts run (replicas, postgres, NATS nodes), with pids and ports"
	@echo "  make test     install missing packages, build ($(TEST_DIR), RelWithDebInfo)"
	@echo "                and run every test with ctest"
	@echo "  make test-sanitize  the same tests built with ASan and UBSan ($(SANITIZE_DIR),"
	@echo "                Debug); a memory error, leak or undefined behaviour fails them"
	@echo "  make build    install missing packages and build the Release binaries"
	@echo "  make web      build the web app (web/dist, served by the gateway at /)"
	@echo "  make events   follow the events on the bus (NATS at 127.0.0.1:\$$FD_NATS_PORT, in the"
	@echo "                cluster profile any of its nodes, as the read-only bus identity viewer;"
	@echo "                with FD_BUS=kafka the topic fooddelivery of the platform's Kafka)"
	@echo "  make lag      follow how far each service's consumer is behind the bus, each second"
	@echo "  make observe  start Prometheus (127.0.0.1:9090, FD_PROMETHEUS_PORT) scraping every service"
	@echo "                process that runs, with the alert rules of observe/alerts.yml: scripts/observe"
	@echo "  make wipe     stop the platform and DELETE its data folder (databases,"
	@echo "                PostgreSQL's data, NATS store, JWT secret, passwords): the next start is empty"
	@echo "  make rebuild-view  rebuild the customer's order-status view from the event"
	@echo "                stream (KakaoTalk messages are not sent again)"
	@echo "  make bench    measure the order path against the machine's floors, on JetStream and on"
	@echo "                Kafka, each on a platform of its own (about 2 minutes; bench/run --help);"
	@echo "                the table is appended to bench/results.md"
	@echo "  make deps     install missing Debian packages only (needs root)"
	@echo "  make help     this list"
	@echo "Ports and folders come from FD_* variables, e.g. 'make up FD_GATEWAY_PORT=9088';"
	@echo "see 'scripts/platform --help'. Logs: run/logs/<part>.log."

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(RELEASE_DIR)

# The web app: npm ci when the lock file changed, vite build when a source changed.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

web: web/dist/index.html

# The images, each smoke-tested (scripts/images --help). Not part of make test: a first
# build takes minutes.
images:
	scripts/images

# The Kubernetes manifests' offline validator (ctest k8s_schemas): npm ci when its lock changed.
K8S_VALIDATOR := deploy/k8s/validate/node_modules/.package-lock.json
$(K8S_VALIDATOR): deploy/k8s/validate/package-lock.json
	cd deploy/k8s/validate && npm ci --no-audit --no-fund

# The OpenAPI document's checkers (Ajv on real answers, dredd: ctests OpenApiResponses.*,
# openapi_validator, openapi_dredd): npm ci when their lock changed.
OPENAPI_CHECK := tests/openapi/node_modules/.package-lock.json
$(OPENAPI_CHECK): tests/openapi/package-lock.json
	cd tests/openapi && npm ci --no-audit --no-fund

# Each names its profile: while the other one runs, scripts/platform refuses
# to start (make down first). FD_CONTAINERS=1: the parts are containers of images
# rebuilt from this tree first (podman's layer cache makes an unchanged one quick).
CONTAINER_IMAGES = $(if $(filter 1,$(FD_CONTAINERS)),scripts/images --no-smoke,@true)

up: build web
	$(CONTAINER_IMAGES)
	FD_PROFILE=embedded scripts/platform start

cluster: build web
	$(CONTAINER_IMAGES)
	FD_PROFILE=cluster scripts/platform start

down:
	scripts/observe stop
	scripts/platform stop

status:
	@scripts/platform status

# Deletes the data folder (default ./data): every database (PostgreSQL's
# too), the NATS JetStream store and the JWT secret. The platform is stopped
# first.
wipe:
	scripts/platform wipe

# ctest's summary must stay the last output (CI reads it): add nothing after it.
test: deps web $(K8S_VALIDATOR) $(OPENAPI_CHECK)
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(TEST_DIR)
	ctest --test-dir $(TEST_DIR) --output-on-failure -j2

# The unit and integration tests (and the services they start) built with AddressSanitizer
# and UndefinedBehaviorSanitizer. The fuzz targets are left out: they always are sanitized.
# The services' logs go with their test's temporary folder, so every sanitizer report is
# written to $(SANITIZE_DIR)/reports/ instead, printed at the end, and fails the target.
SANITIZE_REPORTS := $(CURDIR)/$(SANITIZE_DIR)/reports
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFD_SANITIZE=ON -DFD_FUZZ=OFF
	cmake --build $(SANITIZE_DIR)
	rm -rf $(SANITIZE_REPORTS) && mkdir -p $(SANITIZE_REPORTS)
	ASAN_OPTIONS=log_path=$(SANITIZE_REPORTS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SANITIZE_REPORTS)/ubsan \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j2; status=$$?; \
	if compgen -G '$(SANITIZE_REPORTS)/*' >/dev/null; then \
	  cat $(SANITIZE_REPORTS)/*; echo "test-sanitize: sanitizer reports above, in $(SANITIZE_REPORTS)"; exit 1; \
	fi; exit $$status

# The order-status view (CQRS) replayed from the whole stream: the customer service is
# stopped (SIGTERM: it finishes what it holds; every replica), fd-customer --rebuild wipes its view and inbox and resets its JetStream consumer,
# and the next start replays every event. NATS must run, hence the first start (of the
# profile that runs, else the embedded one). The rebuild connects as the customer service's
# bus identity (scripts/platform run sets FD_NATS_URL, FD_NATS_USER and FD_NATS_PASSWORD).
rebuild-view: build
	scripts/platform start
	scripts/platform stop customer
	FD_DB_URL=$$(scripts/platform db-url customer) \
	  scripts/platform run customer -- $${FD_BUILD_DIR:-$(RELEASE_DIR)}/bin/fd-customer --rebuild
	scripts/platform start

# As the read-only bus identity viewer; its password is in data/nats.secrets. On Kafka
# (FD_BUS=kafka) scripts/platform run gives it FD_BUS_URL instead.
events:
	scripts/platform run viewer -- $(RELEASE_DIR)/bin/fooddelivery events --follow

lag:
	scripts/platform run viewer -- $(RELEASE_DIR)/bin/fooddelivery lag --follow

observe: build
	FD_BUILD_DIR=$(RELEASE_DIR) scripts/observe start

# The benchmark command: both buses, each on a platform of its own on free ports; appends its
# table to bench/results.md (BENCH_ARGS, e.g. --bus nats --no-record: bench/run --help).
bench: build
	bench/run $(BENCH_ARGS)
