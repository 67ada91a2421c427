#include "platform/bus_tail.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "platform/log.hpp"
#include "platform/nats_options.hpp"
#include "platform/problem.hpp"
#include "platform/thread_name.hpp"

namespace platform {

bool BusCursor::covers(const TailedEvent& event) const {
  auto partition = last.find(event.partition);
  return partition != last.end() && event.position <= partition->second;
}

std::string BusCursor::text(bool kafka) const {
  if (!kafka) return std::to_string(last.empty() ? 0 : last.begin()->second);
  std::string out;
  // Appended piece by piece: GCC 12 warns of a copy beyond any object's size (a false
  // -Wstringop-overflow) for "," + std::to_string(...) in the Release build.
  for (const auto& [partition, position] : last) {
    if (!out.empty()) out += ',';
    out += std::to_string(partition);
    out += ':';
    out += std::to_string(position);
  }
  return out;
}

BusCursor BusCursor::parse(const std::string& text) {
  auto refused = [&] {
    return bad_request("Last-Event-ID '" + text +
                       "' is not an id this stream sent: a stream sequence (42) or partition:offset pairs (0:17,1:4)");
  };
  auto number = [&](std::string_view digits) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) throw refused();
    return value;
  };
  BusCursor cursor;
  if (text.find(':') == std::string::npos) {
    cursor.last[0] = number(text);
    return cursor;
  }
  std::string_view rest(text);
  for (;;) {
    auto comma = rest.find(',');
    auto pair = rest.substr(0, comma);
    auto colon = pair.find(':');
    if (colon == std::string_view::npos) throw refused();
    auto partition = number(pair.substr(0, colon));
    if (partition > 100000) throw refused();
    cursor.last[static_cast<int>(partition)] = number(pair.substr(colon + 1));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return cursor;
}

struct BusTail::Impl {
  BusEndpoint bus;
  std::size_t keep;
  std::function<void(const TailedEvent&)> seen;

  mutable std::mutex mutex;
  std::deque<std::shared_ptr<const TailedEvent>> events;
  std::uint64_t first = 0;  // the number of events[0]
  std::map<std::uint64_t, std::function<void()>> watchers;
  std::uint64_t next_token = 0;

  // Whether it has taken what the stream held when it began reading, or could not read it;
  // signalled under `mutex`.
  bool read_up = false;
  std::condition_variable read_up_signal;

  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::once_flag started;
  std::thread reader;

  BusCursor read;  // the reader thread's own

  // The reader begins at the first watcher, not with the process: until someone watches,
  // the process neither holds events nor takes the stream's every event from the broker.
  void start() {
    std::call_once(started, [this] {
      reader = std::thread([this] {
        name_this_thread("bus-tail");
        run();
      });
    });
  }

  void note_read_up() {
    {
      std::lock_guard lock(mutex);
      if (read_up) return;
      read_up = true;
    }
    read_up_signal.notify_all();
  }

  bool stopped() {
    std::lock_guard lock(stop_mutex);
    return stopping;
  }
  // Waits before trying again; false once stopping.
  bool pause(std::chrono::milliseconds wait) {
    std::unique_lock lock(stop_mutex);
    return !stop_signal.wait_for(lock, wait, [&] { return stopping; });
  }

  void take(TailedEvent event) {
    if (read.covers(event)) return;  // read again after a reconnect
    read.advance(event);
    event.order_id = order_id_of(event.body);
    if (seen) seen(event);
    event.body = {};  // the text is what streams send; the parsed copy would double the memory kept
    std::vector<std::function<void()>> wake;
    {
      std::lock_guard lock(mutex);
      events.push_back(std::make_shared<const TailedEvent>(std::move(event)));
      while (events.size() > keep) {
        events.pop_front();
        ++first;
      }
      for (const auto& [token, watcher] : watchers) wake.push_back(watcher);
    }
    for (const auto& w : wake) w();
  }

  static TailedEvent event_of(int partition, std::uint64_t position, std::string type, std::string json) {
    TailedEvent event{partition, position, std::move(type), "", std::move(json), {}};
    boost::system::error_code ec;
    auto body = boost::json::parse(event.json, ec);
    if (!ec && body.is_object()) event.body = std::move(body.as_object());
    return event;
  }

  void read_jetstream() {
    natsOptions* options = nullptr;
    natsConnection* connection = nullptr;
    jsCtx* js = nullptr;
    natsSubscription* subscription = nullptr;
    auto release = [&] {
      if (subscription) natsSubscription_Destroy(subscription);
      jsCtx_Destroy(js);
      natsConnection_Destroy(connection);
      natsOptions_Destroy(options);
      subscription = nullptr;
      js = nullptr;
      connection = nullptr;
      options = nullptr;
    };
    auto check = [&](natsStatus status, const std::string& what) {
      if (status != NATS_OK) throw std::runtime_error(what + ": " + nats_error(status));
    };
    try {
      check(natsOptions_Create(&options), "no NATS options");
      check(use_endpoint(options, bus.nats), "no NATS options");
      if (auto status = natsConnection_Connect(&connection, options); status != NATS_OK)
        throw std::runtime_error(connect_error(status, bus.nats));
      check(natsConnection_JetStream(&js, connection, nullptr), "no JetStream at " + bus.nats.where());
      jsSubOptions sub;
      jsSubOptions_Init(&sub);
      sub.Stream = bus.stream.c_str();
      sub.Ordered = true;
      // After a reconnect, on from the last event taken; at the first start, from the newest
      // `keep` events: the older ones would be dropped as soon as read, and a stream holds a
      // week of them.
      std::uint64_t held_last = 0;  // the stream's last sequence when the reading began
      const auto start = read.last.empty() ? newest_start(js, held_last) : read.last.begin()->second + 1;
      if (held_last == 0) note_read_up();
      sub.Config.DeliverPolicy = start > 1 ? js_DeliverByStartSequence : js_DeliverAll;
      if (start > 1) sub.Config.OptStartSeq = start;
      check(js_SubscribeSync(&subscription, js, ">", nullptr, &sub, nullptr),
            "cannot read stream " + bus.stream + " at " + bus.nats.where());
      while (!stopped()) {
        natsMsg* message = nullptr;
        auto status = natsSubscription_NextMsg(&message, subscription, 500);
        if (status == NATS_TIMEOUT) continue;
        check(status, "lost the stream " + bus.stream + " at " + bus.nats.where());
        std::unique_ptr<natsMsg, void (*)(natsMsg*)> held(message, natsMsg_Destroy);
        const char* type = nullptr;
        natsMsgHeader_Get(message, "type", &type);
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, message) != NATS_OK) continue;
        const auto sequence = meta->Sequence.Stream;
        jsMsgMetaData_Destroy(meta);
        take(event_of(0, sequence, type ? type : "",
                      std::string(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)))));
        if (sequence >= held_last) note_read_up();
      }
    } catch (...) {
      release();
      throw;
    }
    release();
  }

  // The sequence of the oldest of the newest `keep` events the stream holds (1 when it holds
  // no more than those); `last`: the newest's.
  std::uint64_t newest_start(jsCtx* js, std::uint64_t& last) const {
    jsStreamInfo* info = nullptr;
    if (auto status = js_GetStreamInfo(&info, js, bus.stream.c_str(), nullptr, nullptr); status != NATS_OK)
      throw std::runtime_error("cannot read stream " + bus.stream + " at " + bus.nats.where() + ": " +
                               nats_error(status));
    last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    return last > keep ? last - keep + 1 : 1;
  }

  // At the first start, the newest `keep` of each partition; after a reconnect every partition
  // again, of which take() skips what it has (Kafka's order is by partition only).
  void read_kafka() {
    using From = KafkaTopicReader::From;
    KafkaTopicReader reader(bus, read.last.empty() ? From::Newest : From::Start, keep);
    while (!stopped()) {
      if (auto record = reader.next(std::chrono::milliseconds(500)))
        take(event_of(record->partition, record->offset, std::move(record->type), std::move(record->value)));
      if (reader.caught_up()) note_read_up();
    }
  }

  void run() {
    std::string told;  // the last trouble logged: each is logged once, not once a second
    while (!stopped()) {
      try {
        if (bus.kafka()) read_kafka();
        else read_jetstream();
      } catch (const std::exception& error) {
        if (told != error.what())
          log::warn("cannot read the event stream for its watchers; trying again every second",
                    {{"bus", bus.where()}, {"error", error.what()}});
        told = error.what();
        note_read_up();  // nothing to wait for: a stream opened meanwhile starts with what is held
        if (!pause(std::chrono::seconds(1))) return;
      }
    }
  }
};

BusTail::BusTail(BusEndpoint bus, std::size_t keep, std::function<void(const TailedEvent&)> seen)
    : impl_(std::make_shared<Impl>()), kafka_(bus.kafka()) {
  impl_->bus = std::move(bus);
  impl_->keep = std::max<std::size_t>(keep, 1);
  impl_->seen = std::move(seen);
}

BusTail::~BusTail() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->stopping = true;
  }
  impl_->stop_signal.notify_all();
  if (impl_->reader.joinable()) impl_->reader.join();
}

void BusTail::wait_read_up(std::chrono::milliseconds limit) const {
  impl_->start();
  std::unique_lock lock(impl_->mutex);
  impl_->read_up_signal.wait_for(lock, limit, [&] { return impl_->read_up; });
}

std::vector<std::shared_ptr<const TailedEvent>> BusTail::since(std::uint64_t from, std::uint64_t& next) const {
  impl_->start();
  std::lock_guard lock(impl_->mutex);
  from = std::max(from, impl_->first);
  next = impl_->first + impl_->events.size();
  if (from >= next) return {};
  return {impl_->events.begin() + static_cast<std::ptrdiff_t>(from - impl_->first), impl_->events.end()};
}

std::uint64_t BusTail::watch(std::function<void()> wake) {
  impl_->start();
  std::lock_guard lock(impl_->mutex);
  impl_->watchers.emplace(impl_->next_token, std::move(wake));
  return impl_->next_token++;
}

void BusTail::unwatch(std::uint64_t token) {
  std::lock_guard lock(impl_->mutex);
  impl_->watchers.erase(token);
}

}  // namespace platform
