// fooddelivery gateway-metrics: the gateway's counts in Prometheus's format. nginx says them in
// its stub_status page, on a unix socket in the run folder that no client of the API reaches;
// this reads that page at each scrape and serves it on /metrics under the names Prometheus's
// conventions want (counters end in _total), which Debian's prometheus-nginx-exporter 0.11 did
// not give two of them (promtool check metrics failed on the gateway).
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <prometheus/text_serializer.h>
#include <sstream>

#include "command.hpp"
#include "platform/http_server.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"

namespace fd::cli {

namespace {

struct StubStatus {
  double active = 0, accepted = 0, handled = 0, requests = 0, reading = 0, writing = 0, waiting = 0;
};

// nginx's stub_status body:
//   Active connections: 2
//   server accepts handled requests
//    16 16 31
//   Reading: 0 Writing: 1 Waiting: 1
StubStatus parse_stub_status(const std::string& body) {
  std::istringstream in(body);
  StubStatus s;
  std::string word, header;
  auto expect = [&](const char* wanted) {
    if (!(in >> word) || word != wanted)
      throw std::runtime_error(std::string("stub_status: expected '") + wanted + "', read '" + word + "'");
  };
  expect("Active");
  expect("connections:");
  in >> s.active;
  for (const char* w : {"server", "accepts", "handled", "requests"}) expect(w);
  in >> s.accepted >> s.handled >> s.requests;
  expect("Reading:");
  in >> s.reading;
  expect("Writing:");
  in >> s.writing;
  expect("Waiting:");
  in >> s.waiting;
  if (in.fail()) throw std::runtime_error("stub_status: a count is not a number in: " + body);
  return s;
}

// GET /stub_status over the socket, HTTP/1.0 so that nginx closes when it has answered. The
// socket's own timeouts bound a hung nginx: a scrape must not hang with it.
StubStatus read_stub_status(const std::string& socket_path) {
  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket socket(io);
  socket.connect(boost::asio::local::stream_protocol::endpoint(socket_path));
  timeval two_seconds{2, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof two_seconds);
  const std::string request = "GET /stub_status HTTP/1.0\r\nHost: gateway\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(answer), ec);
  if (ec && ec != boost::asio::error::eof) throw std::runtime_error("reading " + socket_path + ": " + ec.message());
  if (answer.rfind("HTTP/1.1 200", 0) != 0 && answer.rfind("HTTP/1.0 200", 0) != 0)
    throw std::runtime_error(socket_path + " answered: " + answer.substr(0, answer.find('\r')));
  auto body = answer.find("\r\n\r\n");
  if (body == std::string::npos) throw std::runtime_error(socket_path + " answered no body");
  return parse_stub_status(answer.substr(body + 4));
}

std::string metrics_text(const std::string& socket_path) {
  using prometheus::MetricType;
  namespace metrics = platform::metrics;
  std::vector<prometheus::MetricFamily> out;
  std::optional<StubStatus> status;
  try {
    status = read_stub_status(socket_path);
  } catch (const std::exception& e) {
    // nginx down (or not yet up) is what nginx_up 0 says; the reason goes to the log.
    platform::log::warn("gateway status not read", {{"error", e.what()}});
  }
  out.push_back(metrics::family("nginx_up", "Whether the gateway's nginx answered its status (1) or not (0).",
                                MetricType::Gauge));
  metrics::add(out.back(), status ? 1 : 0);
  if (status) {
    auto one = [&](const char* name, const char* help, MetricType type, double value) {
      out.push_back(metrics::family(name, help, type));
      metrics::add(out.back(), value);
    };
    one("nginx_connections_accepted_total", "Client connections accepted.", MetricType::Counter, status->accepted);
    one("nginx_connections_handled_total",
        "Client connections handled (fewer than accepted when a worker's connection limit is reached).",
        MetricType::Counter, status->handled);
    one("nginx_http_requests_total", "Client requests.", MetricType::Counter, status->requests);
    // The exporter's names otherwise, so that its dashboards read these.
    one("nginx_connections_active", "Client connections open now, waiting ones included.", MetricType::Gauge,
        status->active);
    one("nginx_connections_reading", "Connections whose request nginx is reading.", MetricType::Gauge,
        status->reading);
    one("nginx_connections_writing", "Connections nginx is answering.", MetricType::Gauge, status->writing);
    one("nginx_connections_waiting", "Idle keep-alive connections.", MetricType::Gauge, status->waiting);
  }
  return prometheus::TextSerializer().Serialize(out);
}

struct GatewayMetricsOptions {
  std::string socket;
  std::string host = "127.0.0.1";
  std::uint16_t port = env_port("FD_GATEWAY_METRICS_PORT", 9113);
};

int serve(const GatewayMetricsOptions& options) {
  platform::Router router;
  router.add("GET", "/metrics", [&](platform::Request&) {
    return platform::Response{200, "text/plain; version=0.0.4", metrics_text(options.socket), {}};
  });
  platform::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  platform::HttpServer server(router, server_options);
  platform::log::info("gateway metrics served",
                      {{"address", options.host + ":" + std::to_string(server.port())}, {"socket", options.socket}});
  server.run();
  return 0;
}

}  // namespace

Command gateway_metrics_command(CLI::App& cli) {
  auto options = std::make_shared<GatewayMetricsOptions>();
  auto* app = cli.add_subcommand(
      "gateway-metrics",
      "serve the gateway's counts (nginx's stub_status, read from its unix socket at each scrape) on /metrics in "
      "Prometheus's format, until SIGTERM");
  const char* run_dir = std::getenv("FD_RUN_DIR");
  options->socket = std::string(run_dir && *run_dir ? run_dir : "run") + "/gateway-status.sock";
  app->add_option("--socket", options->socket, "nginx's status socket")->capture_default_str();
  app->add_option("--host", options->host, "the address to listen on")->capture_default_str();
  app->add_option("--port", options->port, "the port to listen on (FD_GATEWAY_METRICS_PORT)")
      ->capture_default_str();
  return {app, [options] { return serve(*options); }};
}

}  // namespace fd::cli
