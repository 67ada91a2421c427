#include "platform/service_host.hpp"

#include <boost/json.hpp>
#include <filesystem>

#include "platform/http_server.hpp"
#include "platform/log.hpp"

namespace platform {

ServiceHost::ServiceHost(std::string name)
    : name_(std::move(name)), config_(Config::load()), identity_(config_.require("JWT_SECRET")) {
  log::init(name_);
  auto url = config_.get("DB_URL", "sqlite:" + name_ + ".db");
  db_ = open_database(url);
  migrate_messaging(*db_);
}

ServiceHost::~ServiceHost() = default;

int ServiceHost::run(std::map<std::string, Reaction> reactions) {
  MessagingOptions bus;
  bus.url = config_.get("NATS_URL", bus.url);
  bus.durable = name_;
  Messaging messaging(*db_, bus);

  router_.add("GET", "/health", [&](Request&) {
    std::string waiting = readiness_ ? readiness_() : std::string();
    boost::json::object body{{"service", name_},
                             {"status", waiting.empty() ? "UP" : "STARTING"},
                             {"nats", messaging.connected() ? "connected" : "disconnected"},
                             {"outboxPending", messaging.pending_outbox()}};
    if (!waiting.empty()) body["waitingFor"] = waiting;
    return json_response(waiting.empty() ? 200 : 503, body);
  });

  ServerOptions options;
  options.host = config_.get("HOST", options.host);
  options.port = static_cast<std::uint16_t>(config_.integer("PORT", 0));
  options.threads = static_cast<int>(config_.integer("HTTP_THREADS", 1));
  options.body_limit = static_cast<std::size_t>(config_.integer("BODY_LIMIT", 64 * 1024));
  HttpServer server(router_, options);

  messaging.start(std::move(reactions));
  log::info("listening", {{"port", std::to_string(server.port())}, {"nats", bus.url}});
  server.run();
  log::info("stopping");
  messaging.stop();
  return 0;
}

}  // namespace platform

namespace platform {

int run_service(std::string name, const std::function<std::map<std::string, Reaction>(ServiceHost&)>& setup) {
  try {
    ServiceHost host(name);
    auto reactions = setup(host);
    return host.run(std::move(reactions));
  } catch (const std::exception& error) {
    log::init(name);
    log::error("service failed to start", {{"error", error.what()}});
    return 1;
  }
}

}  // namespace platform
