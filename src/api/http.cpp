// Transport-neutral HTTP messages: header fields and response constructors.
#include "jiebang/api/http.h"

#include <algorithm>

namespace jiebang::api {

bool iequals(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
  add(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  // Replace, never throw, on invalid UTF-8: the stored records are validated, so this only
  // guards against a bug turning into a failed response.
  return text(status, "application/json",
              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse HttpResponse::text(int status, std::string content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

}  // namespace jiebang::api
