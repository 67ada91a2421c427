#pragma once
// The Bus on NATS JetStream: a stream over every subject under the prefix, and a durable
// push consumer created explicitly (so that unsubscribing never deletes it).
//
// Threads: the owner's (connect, close), the relay's (ensure_ready, publish), the
// consumer's (take_deliveries: the handler, one batch at a time) and libnats' own (reader,
// flusher, async callbacks). libnats may invoke connection callbacks after the
// connection is destroyed, so those callbacks reach the bus through a registry keyed by a
// token, never by a raw pointer.
#include <atomic>
#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "platform/bus.hpp"
#include "platform/messaging.hpp"

namespace platform {

class JetStreamBus final : public Bus {
 public:
  // Uses nats, stream, subject_prefix, stream_replicas, the stream limits, and durable as the connection's name.
  explicit JetStreamBus(MessagingOptions options);
  ~JetStreamBus() override;

  void subscribe(ConsumerSpec consumer, DeliveryHandler handler) override;
  void connect(std::function<void()> reachable) override;
  bool connected() const override;
  const char* broker() const override { return "jetstream"; }
  bool drops_republished() const override { return true; }
  bool ensure_ready() override;
  void consume(bool take) override { consuming_ = take; }
  PublishResult publish(const std::vector<OutgoingMessage>& batch) override;
  void close() override;

 private:
  static constexpr auto kBackoffMin = std::chrono::milliseconds(250);
  static constexpr auto kBackoffMax = std::chrono::milliseconds(5000);

  MessagingOptions options_;
  std::optional<ConsumerSpec> consumer_;
  DeliveryHandler handler_;
  std::function<void()> reachable_;
  std::uint64_t token_ = 0;

  mutable std::mutex connection_mutex_;  // guards nc_ against close() while connected() reads it
  natsOptions* nats_options_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;

  // Setup state: the owner's thread until connect() returns, then the relay's.
  bool stream_ready_ = false;
  std::atomic<bool> consuming_{true};
  std::chrono::steady_clock::time_point next_verify_{};
  std::chrono::steady_clock::time_point next_consumer_attempt_{};
  std::chrono::milliseconds consumer_backoff_ = kBackoffMin;
  bool setup_outage_logged_ = false;
  bool settings_refusal_logged_ = false;

  // Publish acknowledgement failures reported by libnats for the batch in flight.
  std::mutex publish_mutex_;
  std::unordered_set<std::string> failed_ids_;
  bool stream_missing_ = false;
  std::string publish_error_;

  // The consumer's thread, taking what the subscription holds (take_deliveries); stopped by
  // close_subscription.
  std::thread delivery_thread_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> delivering_{false};  // the thread runs (it ends on its own only if the subscription does)

  void* closure() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(token_)); }
  std::string subject_all() const { return options_.subject_prefix + ">"; }
  std::string consumed_subject() const;
  std::string filter_;  // the consumer's filter as it is on the server (ensure_consumer)

  // jetstream_setup.cpp
  void set_up_at_start();
  bool set_up(std::string& error, bool verify);
  bool ensure_stream(bool& created, std::string& error);
  void bring_to_settings(jsStreamConfig* config);
  std::int64_t max_age_ns() const { return static_cast<std::int64_t>(options_.stream_max_age.count()) * 1'000'000'000; }
  std::int64_t duplicate_window_ns() const {
    return static_cast<std::int64_t>(options_.stream_duplicate_window.count()) * 1'000'000;
  }
  bool ensure_consumer(std::string& error);
  bool add_consumer(jsConsumerConfig& config, const std::string& filter, std::string& error);
  bool consumer_missing();
  bool subscribe_consumer(std::string& error);
  void close_subscription();
  void take_deliveries(natsSubscription* sub);
  void deliver(const std::vector<natsMsg*>& messages);

  template <class F>
  static void with_self(void* closure, F&& f);
  static void on_connected(natsConnection*, void* closure);
  static void on_disconnected(natsConnection*, void* closure);
  static void on_reconnected(natsConnection*, void* closure);
  static void on_closed(natsConnection*, void* closure);
  static void on_async_error(natsConnection*, natsSubscription*, natsStatus err, void* closure);
  static void on_publish_error(jsCtx*, jsPubAckErr* pae, void* closure);
};

}  // namespace platform
