#include "app.hpp"

#include "kakao_talk.hpp"
#include "notifications.hpp"
#include "platform/log.hpp"
#include "rebuild.hpp"

namespace customer {

platform::Subscriptions install(platform::ServiceHost& host) {
  auto messenger = messenger_from(host.config());  // wrong Kakao settings stop the start before any work
  host.migrate(schema());
  auto& db = host.db();
  if (status_view::check(db) == status_view::Shape::Outdated) {
    platform::log::warn("the status view has an older shape: rebuilding it from the event stream");
    reset_view(db, host.config());
  }
  add_routes(host);
  add_event_stream(host);
  host.keep_while_serving(std::make_shared<NotificationSender>(db, std::move(messenger)));
  host.on_scrape([&db] { return notification_families(db); });
  return subscriptions();
}

}  // namespace customer
