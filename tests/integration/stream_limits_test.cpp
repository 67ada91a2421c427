// The stream's limits (FD_STREAM_MAX_AGE, FD_STREAM_MAX_BYTES, FD_STREAM_DUPLICATE_WINDOW): set
// when the stream is made,
// brought to the configured values on a later start, read back from JetStream's stream info;
// a max age too short for no loss is refused.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "platform/db.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/nats_server.hpp"

namespace {

using namespace std::chrono_literals;

struct Limits {
  std::int64_t max_age_ns = -1;
  std::int64_t max_bytes = -1;
  std::int64_t duplicate_window_ns = -1;
};

// What JetStream says the stream's config is.
Limits stream_limits(const std::string& url) {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  Limits limits;
  if (natsConnection_ConnectTo(&nc, url.c_str()) == NATS_OK && natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
      js_GetStreamInfo(&info, js, "fooddelivery", nullptr, nullptr) == NATS_OK && info->Config)
    limits = {info->Config->MaxAge, info->Config->MaxBytes, info->Config->Duplicates};
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return limits;
}

platform::MessagingOptions options(const fd::test::NatsServer& nats, std::chrono::seconds max_age, std::int64_t max_bytes,
                                   std::chrono::seconds duplicate_window = 30s) {
  platform::MessagingOptions options;
  options.nats = platform::NatsEndpoint(nats.url());
  options.stream_max_age = max_age;
  options.stream_max_bytes = max_bytes;
  options.stream_duplicate_window = duplicate_window;
  return options;
}

TEST(StreamLimits, TheStreamIsMadeWithTheConfiguredLimitsAndAnExistingOneIsBroughtToThem) {
  fd::test::NatsServer nats;
  auto db = platform::open_database("sqlite::memory:");
  {
    platform::Messaging messaging(*db, options(nats, 1h, 1 << 20, 10s));
    messaging.start({});
    Limits made;
    ASSERT_TRUE(fd::test::eventually([&] { return (made = stream_limits(nats.url())).max_bytes == 1 << 20; }))
        << made.max_bytes;
    EXPECT_EQ(made.max_age_ns, std::int64_t{3600} * 1'000'000'000);
    EXPECT_EQ(made.duplicate_window_ns, std::int64_t{10} * 1'000'000'000);
  }
  platform::Messaging later(*db, options(nats, 2h, 2 << 20, 20s));
  later.start({});
  Limits updated;
  ASSERT_TRUE(fd::test::eventually([&] { return (updated = stream_limits(nats.url())).max_bytes == 2 << 20; }))
      << updated.max_bytes;
  EXPECT_EQ(updated.max_age_ns, std::int64_t{7200} * 1'000'000'000);
  EXPECT_EQ(updated.duplicate_window_ns, std::int64_t{20} * 1'000'000'000);
}

TEST(StreamLimits, TheDefaultsAreAWeekAGibibyteAndAHalfMinuteWindow) {
  fd::test::NatsServer nats;
  auto db = platform::open_database("sqlite::memory:");
  platform::MessagingOptions defaults;
  defaults.nats = platform::NatsEndpoint(nats.url());
  platform::Messaging messaging(*db, defaults);
  messaging.start({});
  Limits made;
  ASSERT_TRUE(fd::test::eventually([&] { return (made = stream_limits(nats.url())).max_bytes > 0; }));
  EXPECT_EQ(made.max_bytes, std::int64_t{1} << 30);
  EXPECT_EQ(made.max_age_ns, std::int64_t{7 * 24 * 3600} * 1'000'000'000);
  EXPECT_EQ(made.duplicate_window_ns, std::int64_t{30} * 1'000'000'000);
}

// Shorter than an event's redeliveries (FD_MAX_DELIVER x 35 s) or the duplicate window, the
// stream could drop an event before its consumer is done with it.
TEST(StreamLimits, AMaxAgeShorterThanNoLossNeedsIsRefused) {
  fd::test::NatsServer nats;
  auto db = platform::open_database("sqlite::memory:");
  platform::Messaging messaging(*db, options(nats, 60s, 1 << 20));
  try {
    messaging.start({});
    ADD_FAILURE() << "a max age of 60 s was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("FD_STREAM_MAX_AGE must be at least 350 s"), std::string::npos)
        << error.what();
  }
}

TEST(StreamLimits, ADuplicateWindowOfNothingIsRefused) {
  fd::test::NatsServer nats;
  auto db = platform::open_database("sqlite::memory:");
  platform::Messaging messaging(*db, options(nats, 1h, 1 << 20, 0s));
  try {
    messaging.start({});
    ADD_FAILURE() << "a duplicate window of 0 s was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("FD_STREAM_DUPLICATE_WINDOW must be a positive number of seconds, not 0"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
