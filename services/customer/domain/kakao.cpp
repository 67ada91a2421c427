#include "domain/kakao.hpp"

#include <boost/json.hpp>

namespace customer::kakao {

std::string form_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string text_message_form(std::string_view text, std::string_view link) {
  boost::json::object text_template{{"object_type", "text"},
                                    {"text", text},
                                    {"link", {{"web_url", link}, {"mobile_web_url", link}}}};
  return "template_object=" + form_encode(boost::json::serialize(text_template));
}

std::string refusal(int http_status, std::string_view body) {
  auto excerpt = std::string(body.substr(0, 200));
  if (http_status < 200 || http_status > 299) return "Kakao answered HTTP " + std::to_string(http_status) + ": " + excerpt;
  boost::json::error_code ec;
  auto answer = boost::json::parse(body, ec);
  if (ec || !answer.is_object()) return "Kakao's answer is not a JSON object: " + excerpt;
  auto* code = answer.as_object().if_contains("result_code");
  if (!code || !code->is_int64()) return "Kakao's answer has no result_code: " + excerpt;
  if (code->get_int64() != 0) return "Kakao answered result_code " + std::to_string(code->get_int64()) + ": " + excerpt;
  return {};
}

}  // namespace customer::kakao
