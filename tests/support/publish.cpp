#include "support/publish.hpp"

#include <nats/nats.h>

#include <stdexcept>

#include "platform/bus_access.hpp"
#include "platform/clock.hpp"
#include "platform/json_text.hpp"

namespace fd::test {

namespace {
void check(natsStatus status, const char* what) {
  if (status != NATS_OK) throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(status));
}
}  // namespace

std::string publish_event(const std::string& nats_url, const std::string& type, boost::json::object body,
                          const std::string& given_id) {
  body["eventType"] = type;
  body["timestamp"] = platform::now_ms();
  auto id = given_id.empty() ? platform::new_id() : given_id;
  auto data = platform::to_json(body);
  auto subject = platform::event_subject("fooddelivery.", type);

  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsMsg* message = nullptr;
  jsPubAck* ack = nullptr;
  natsStatus status = natsConnection_ConnectTo(&connection, nats_url.c_str());
  if (status == NATS_OK) status = natsConnection_JetStream(&js, connection, nullptr);
  if (status == NATS_OK)
    status = natsMsg_Create(&message, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (status == NATS_OK) status = natsMsgHeader_Set(message, "type", type.c_str());
  if (status == NATS_OK) status = natsMsgHeader_Set(message, "Nats-Msg-Id", id.c_str());
  if (status == NATS_OK) status = js_PublishMsg(&ack, js, message, nullptr, nullptr);
  jsPubAck_Destroy(ack);
  natsMsg_Destroy(message);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  check(status, ("publish " + type).c_str());
  return id;
}

void create_stream(const std::string& nats_url, std::chrono::milliseconds duplicate_window) {
  const char* subjects[] = {"fooddelivery.>"};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = "fooddelivery";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(duplicate_window).count();
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  natsStatus status = natsConnection_ConnectTo(&connection, nats_url.c_str());
  if (status == NATS_OK) status = natsConnection_JetStream(&js, connection, nullptr);
  if (status == NATS_OK) status = js_AddStream(&info, js, &config, nullptr, nullptr);
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  check(status, "create the stream fooddelivery");
}

}  // namespace fd::test
