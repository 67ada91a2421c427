#include "platform/http_server.hpp"

#include "platform/db.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "platform/event_stream.hpp"
#include "platform/http_parse.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"
#include "platform/trace.hpp"
#include "platform/thread_name.hpp"

namespace platform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// What a handler throws, as the client's answer. The work runs in the request's trace: a
// coroutine may resume on another thread, so the trace is the thread's only while it runs.
template <typename Work>
Response answer(Request& request, const trace::TraceContext& trace, Work&& work) {
  trace::Scope scope(trace);
  try {
    return work();
  } catch (const Problem& problem) {
    return problem_response(problem);
  } catch (const DatabaseUnavailable& error) {
    log::warn("request refused: the database is not reachable",
              {{"method", request.method}, {"path", request.path}, {"error", error.what()}});
    return problem_response(unavailable("the service's database is not reachable just now; retry shortly (an order retried "
                              "with the same Idempotency-Key is placed once)"));
  } catch (const std::exception& error) {
    log::error("request failed", {{"method", request.method}, {"path", request.path}, {"error", error.what()}});
    return problem_response(500, "Internal Server Error", "the server could not complete the request; see its log");
  }
}

// The workers of Work::Cpu routes. It admits at most threads + queue requests at once, so a
// flood of them is refused at its door instead of growing a queue that every client waits in.
// Its threads run at a lower CPU priority than the I/O threads: however busy they are, an I/O
// thread that wakes gets a core at once, and the requests that need no worker stay fast.
class CpuPool {
 public:
  CpuPool(int threads, int queue) : work_(context_.get_executor()), capacity_(threads + queue) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this] {
        name_this_thread("http-cpu");
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNiceness);  // this thread alone, on Linux
        context_.run();
      });
  }
  ~CpuPool() {
    work_.reset();  // the workers finish what they were given, then end
    for (auto& thread : threads_) thread.join();
  }

  // The route's answer, computed on a worker while the calling coroutine waits; 503 at once
  // when the pool is full.
  asio::awaitable<Response> run(const Router& router, const Router::Route& route, Request& request,
                                const trace::TraceContext& trace) {
    if (admitted_.fetch_add(1) >= capacity_) {
      --admitted_;
      note_refusal(request, trace);
      co_return problem_response(unavailable("the service is busy with other requests of this kind; retry shortly"));
    }
    // The coroutine resumes on its own I/O executor once the worker is done.
    co_return co_await asio::co_spawn(context_.get_executor(), work(router, route, request, trace),
                                     asio::use_awaitable);
  }

 private:
  static constexpr int kNiceness = 10;

  asio::awaitable<Response> work(const Router& router, const Router::Route& route, Request& request,
                                 const trace::TraceContext& trace) {
    struct Release {
      std::atomic<int>& admitted;
      ~Release() { --admitted; }
    } release{admitted_};
    co_return answer(request, trace, [&] { return router.run(route, request); });
  }

  // A flood is logged once a second with its count, not once a request.
  void note_refusal(const Request& request, const trace::TraceContext& trace) {
    ++refused_;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_logged_.load();
    if (now - last < std::chrono::steady_clock::duration(std::chrono::seconds(1)).count() ||
        !last_logged_.compare_exchange_strong(last, now))
      return;
    trace::Scope scope(trace);
    log::warn("requests refused: the workers for CPU-heavy requests are all busy",
              {{"refused", std::to_string(refused_.exchange(0))}, {"path", request.path}});
  }

  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  const int capacity_;
  std::atomic<int> admitted_{0};
  std::atomic<std::int64_t> refused_{0};
  std::atomic<std::chrono::steady_clock::rep> last_logged_{0};
};

asio::awaitable<Response> respond(const Router& router, CpuPool* cpu, Request& request) {
  auto traceparent = request.headers.find("traceparent");
  const auto trace = trace::continue_from(traceparent == request.headers.end() ? "" : traceparent->second);
  const Router::Route* route = nullptr;
  auto unmatched = answer(request, trace, [&] {
    route = &router.match(request);
    return Response{};
  });
  if (!route) co_return unmatched;
  if (route->work == Work::Cpu && cpu) co_return co_await cpu->run(router, *route, request, trace);
  co_return answer(request, trace, [&] { return router.run(*route, request); });
}

// head: the answer to a HEAD, which has the headers of the GET's answer, its Content-Length
// among them, and no body.
http::response<http::string_body> to_beast(Response&& response, unsigned version, bool keep_alive,
                                           bool head = false) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  if (!response.body.empty()) out.set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  if (head) {
    if (response.status != 204 && response.status != 304) out.content_length(response.body.size());
    return out;
  }
  out.body() = std::move(response.body);
  out.prepare_payload();
  return out;
}

asio::awaitable<void> write_problem(beast::tcp_stream& stream, int status, std::string_view title,
                                    std::string_view detail) {
  auto out = to_beast(problem_response(status, title, detail), 11, false);
  co_await http::async_write(stream, out, use_tuple);
}

// How long a write to a stream's client may take: one that stops reading is let go.
constexpr auto kStreamWriteTimeout = std::chrono::seconds(30);

// The problem that ends a stream, as its last event.
std::string final_event(const Problem& problem) {
  return format_event({"", "problem", problem_response(problem.status, problem.title, problem.detail).body});
}

// Writes the source's events as they come, in chunks. Between pulls the coroutine waits, on
// no thread, for the first of: the source's wake-up (and then for the rest of
// stream_least_interval after the last pull), its period, the heartbeat, and the client's side
// of the connection becoming readable (it closed it: a stream's client sends nothing more).
asio::awaitable<void> stream_events(beast::tcp_stream& stream, Response response, unsigned version,
                                    const Request& request, const ServerOptions& options) {
  using namespace asio::experimental::awaitable_operators;
  auto source = std::move(response.events);
  http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
  head.set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) head.set(name, value);
  head.keep_alive(false);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  stream.expires_after(kStreamWriteTimeout);
  if (auto [ec, written] = co_await http::async_write_header(stream, serializer, use_tuple); ec) co_return;

  auto executor = co_await asio::this_coro::executor;
  using Wake = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  auto wake = std::make_shared<Wake>(executor, 1);
  source->wake_with([weak = std::weak_ptr<Wake>(wake)] {
    if (auto channel = weak.lock()) channel->try_send(boost::system::error_code{});
  });
  asio::steady_timer timer(executor);
  auto last_write = std::chrono::steady_clock::now();
  for (;;) {
    std::string text;
    bool ending = false;
    const auto pulled = std::chrono::steady_clock::now();
    try {
      for (const auto& event : source->pull()) text += format_event(event);
    } catch (const Problem& problem) {
      text += final_event(problem);
      ending = true;
    } catch (const std::exception& error) {
      log::error("event stream failed", {{"path", request.path}, {"error", error.what()}});
      text += final_event(Problem(500, "Internal Server Error", "the stream failed; see the server's log"));
      ending = true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (text.empty() && now - last_write >= options.stream_heartbeat) text = ": heartbeat\n\n";
    if (!text.empty()) {
      stream.expires_after(kStreamWriteTimeout);
      auto [ec, written] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(text)), use_tuple);
      if (ec) co_return;
      last_write = now;
    }
    if (ending) {
      co_await asio::async_write(stream, http::make_chunk_last(), use_tuple);
      co_return;
    }
    stream.expires_never();
    auto until_heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(
        options.stream_heartbeat - (std::chrono::steady_clock::now() - last_write));
    timer.expires_after(std::max(std::chrono::milliseconds(1), std::min(source->every(), until_heartbeat)));
    auto woke = co_await (timer.async_wait(use_tuple) || wake->async_receive(use_tuple) ||
                          stream.socket().async_wait(tcp::socket::wait_read, use_tuple));
    if (woke.index() == 2) co_return;  // the client closed its side
    if (woke.index() == 1 && std::chrono::steady_clock::now() < pulled + options.stream_least_interval) {
      // Woken again soon after a pull: the wake-ups meanwhile wait in the channel's one slot.
      timer.expires_at(pulled + options.stream_least_interval);
      auto waited = co_await (timer.async_wait(use_tuple) ||
                              stream.socket().async_wait(tcp::socket::wait_read, use_tuple));
      if (waited.index() == 1) co_return;
    }
  }
}

asio::awaitable<void> session(beast::tcp_stream stream, const Router& router, const ServerOptions& options,
                              CpuPool* cpu) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.body_limit);
    parser.header_limit(kHeaderLimit);
    stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
    auto [ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)read;
    if (ec == http::error::body_limit) {
      co_await write_problem(stream, 413, "Payload Too Large",
                             "request body exceeds " + std::to_string(options.body_limit) + " bytes");
      break;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted)
      break;
    if (ec) {
      co_await write_problem(stream, 400, "Bad Request", "malformed HTTP request: " + ec.message());
      break;
    }
    auto in = parser.release();
    bool keep_alive = in.keep_alive();
    unsigned version = in.version();
    auto request = to_request(std::move(in));
    auto response = co_await respond(router, cpu, request);
    if (response.events && request.method != "HEAD") {
      co_await stream_events(stream, std::move(response), version, request, options);
      break;
    }
    negotiate(request, response);
    auto out = to_beast(std::move(response), version, keep_alive, request.method == "HEAD");
    auto [write_ec, written] = co_await http::async_write(stream, out, use_tuple);
    (void)written;
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

struct HttpServer::Impl {
  const Router& router;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  // After the io_context: destroyed first, it lets its running handlers finish while the
  // sessions they answer are still alive.
  std::optional<CpuPool> cpu;

  Impl(const Router& router, ServerOptions opts)
      : router(router), options(std::move(opts)), ioc(options.threads), acceptor(ioc) {
    if (router.has(Work::Cpu)) {
      if (options.cpu_threads < 1 || options.cpu_threads > 64 || options.cpu_queue < 0 || options.cpu_queue > 4096)
        throw std::invalid_argument("the pool for CPU-heavy requests takes 1 to 64 threads (FD_CPU_THREADS) and a "
                                    "queue of 0 to 4096 (FD_CPU_QUEUE)");
      cpu.emplace(options.cpu_threads, options.cpu_queue);
    }
    tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;  // e.g. too many open files: keep serving the connections we have
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(ioc, session(beast::tcp_stream(std::move(socket)), router, options, cpu ? &*cpu : nullptr),
                     asio::detached);
    }
  }
};

HttpServer::HttpServer(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run() {
  asio::signal_set signals(impl_->ioc, SIGINT, SIGTERM);
  signals.async_wait([this](auto, auto) { stop(); });
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.threads; ++i)
    extra.emplace_back([this] {
      name_this_thread("http");
      impl_->ioc.run();
    });
  impl_->ioc.run();
  for (auto& thread : extra) thread.join();
}

void HttpServer::stop() { impl_->ioc.stop(); }

}  // namespace platform
