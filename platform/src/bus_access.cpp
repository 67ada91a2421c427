// The bus's identities and their permissions. The JetStream API subjects are those libnats
// 3.4 sends to nats-server 2.9 for what the bus does (seen in the server's -DV trace):
//   stream info / create         $JS.API.STREAM.INFO.<stream>, $JS.API.STREAM.CREATE.<stream>
//   more replicas for it         $JS.API.STREAM.UPDATE.<stream> (jetstream_setup.cpp)
//   a durable consumer           $JS.API.CONSUMER.INFO|DURABLE.CREATE|DELETE.<stream>.<durable>
//   ack, nak, term               $JS.ACK.<stream>.<durable>.<...>
//   an ordered (ephemeral) read  $JS.API.CONSUMER.CREATE.<stream>, its flow control replies
//                                $JS.FC.<stream>.<...>, and $JS.API.CONSUMER.DELETE.<stream>.<name>
//                                when it ends
// and every reply comes to the requester's inbox, a delivery to the consumer's deliver subject.
#include "platform/bus_access.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "contracts/events.hpp"

namespace platform {

namespace {

std::set<std::string, std::less<>> words(std::string_view text) {
  std::set<std::string, std::less<>> out;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.find(' ', at), text.size());
    if (end > at) out.emplace(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// The services the contracts name, as producers or consumers.
std::set<std::string, std::less<>> services() {
  std::set<std::string, std::less<>> out;
  for (const auto& contract : contracts::kCatalogue) {
    out.emplace(contract.producer);
    if (contract.consumers != "*") out.merge(words(contract.consumers));
  }
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(const std::string& subject) { return "\"" + subject + "\""; }

std::string list(const std::vector<std::string>& subjects, const std::string& indent) {
  std::string out = "[\n";
  for (const auto& subject : subjects) out += indent + "  " + quoted(subject) + "\n";
  return out + indent + "]";
}

}  // namespace

std::string inbox_prefix(std::string_view identity) {
  bool valid = !identity.empty() && std::all_of(identity.begin(), identity.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (!valid)
    throw std::invalid_argument("NATS identity '" + std::string(identity) +
                                "' must be letters, digits, '-' or '_' (it names its inbox)");
  return "_INBOX_" + std::string(identity);
}

std::string event_subject(std::string_view subject_prefix, std::string_view type) {
  const contracts::EventInfo* contract = nullptr;
  for (const auto& candidate : contracts::kCatalogue)
    if (candidate.type == type) contract = &candidate;
  std::string subject = std::string(subject_prefix) + std::string(type);
  for (auto service : contracts::kServices) {
    subject += '.';
    subject += contract && contracts::consumed_by(*contract, service) ? service : "_";
  }
  return subject;
}

std::string audience_filter(std::string_view subject_prefix, std::string_view service) {
  if (std::find(contracts::kServices.begin(), contracts::kServices.end(), service) == contracts::kServices.end())
    return "";
  std::string filter = std::string(subject_prefix) + "*";
  for (auto each : contracts::kServices) filter += "." + std::string(each == service ? each : "*");
  return filter;
}

std::string_view subject_type(std::string_view subject_prefix, std::string_view subject) {
  if (!subject.starts_with(subject_prefix)) return {};
  subject.remove_prefix(subject_prefix.size());
  return subject.substr(0, subject.find('.'));
}

std::string deliver_subject(std::string_view stream, std::string_view durable) {
  return "_DELIVER." + std::string(stream) + "." + std::string(durable);
}

std::vector<BusIdentity> bus_identities(std::string_view stream_name, std::string_view subject_prefix) {
  const std::string stream(stream_name), api = "$JS.API.", consumer = api + "CONSUMER.";
  std::vector<BusIdentity> out;
  const auto names = services();
  for (const auto& service : names) {
    BusIdentity identity{service, "the " + service + " service", false, {}, {}, {}};
    for (const auto& contract : contracts::kCatalogue)
      if (contract.producer == service) identity.publish.push_back(event_subject(subject_prefix, contract.type));
    identity.publish.insert(identity.publish.end(),
                            {api + "STREAM.INFO." + stream, api + "STREAM.CREATE." + stream,
                             api + "STREAM.UPDATE." + stream, consumer + "INFO." + stream + "." + service,
                             consumer + "DURABLE.CREATE." + stream + "." + service,
                             consumer + "DELETE." + stream + "." + service, "$JS.ACK." + stream + "." + service + ".>"});
    identity.subscribe = {inbox_prefix(service) + ".>", deliver_subject(stream, service)};
    // The customer service shows the events as they cross the bus (GET /events/stream), read
    // as the viewer reads them: an ordered consumer of its own, which it may delete, and no
    // other service's.
    if (service == "customer") {
      identity.publish.insert(identity.publish.end(), {consumer + "CREATE." + stream,
                                                       consumer + "DELETE." + stream + ".*", "$JS.FC." + stream + ".>"});
      for (const auto& other : names)
        if (other != service) identity.publish_denied.push_back(consumer + "DELETE." + stream + "." + other);
    }
    out.push_back(std::move(identity));
  }

  // Reads through consumers of its own: the server refuses a durable name on the ephemeral
  // create subject, and the services' durable consumers are not its to delete.
  BusIdentity viewer{"viewer", "reads the stream (fooddelivery events, chaos)", false, {}, {}, {}};
  viewer.publish = {api + "STREAM.INFO." + stream, consumer + "CREATE." + stream, consumer + "INFO." + stream + ".*",
                    consumer + "DELETE." + stream + ".*", "$JS.FC." + stream + ".>"};
  for (const auto& service : names) viewer.publish_denied.push_back(consumer + "DELETE." + stream + "." + service);
  viewer.subscribe = {inbox_prefix("viewer") + ".>"};
  out.push_back(std::move(viewer));

  out.push_back({"admin", "everything: operators, and tests that forge events", true, {}, {}, {}});
  return out;
}

std::string nats_authorization(const std::vector<BusIdentity>& identities) {
  std::string out = "authorization {\n  users = [\n";
  for (const auto& identity : identities) {
    out += "    # " + identity.name + ": " + identity.role + "\n";
    out += "    {\n      user: " + quoted(identity.name) + "\n      password: $NATS_PASSWORD_" + upper(identity.name) + "\n";
    if (!identity.unrestricted) {
      out += "      permissions: {\n        publish: {\n          allow: " + list(identity.publish, "          ") + "\n";
      if (!identity.publish_denied.empty()) out += "          deny: " + list(identity.publish_denied, "          ") + "\n";
      out += "        }\n        subscribe: {\n          allow: " + list(identity.subscribe, "          ") + "\n        }\n      }\n";
    }
    out += "    }\n";
  }
  return out + "  ]\n}\n";
}

}  // namespace platform
