#pragma once
// Kakao's message REST API as data (developers.kakao.com, "Kakao Talk Message: REST API"):
// POST /v2/api/talk/memo/default/send, Authorization: Bearer <token>, body
// application/x-www-form-urlencoded with template_object = the default template as JSON;
// the answer is {"result_code":0} on success. No I/O here.
#include <string>
#include <string_view>

namespace customer::kakao {

inline constexpr const char* kContentType = "application/x-www-form-urlencoded;charset=utf-8";

// The request body for a text message whose link opens `link` on the web and on phones.
std::string text_message_form(std::string_view text, std::string_view link);

// Percent-encodes a form value; RFC 3986's unreserved characters stay as they are.
std::string form_encode(std::string_view value);

// Empty when Kakao sent the message (a 2xx answer with result_code 0); otherwise why not.
std::string refusal(int http_status, std::string_view body);

}  // namespace customer::kakao
