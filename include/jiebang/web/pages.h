// The marketplace's pages, served by `jiebang serve` beside the JSON API: public scenario search
// and pages, sign-in with a key (a server-side session), and each role's pages.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "jiebang/api/api.h"

namespace jiebang::web {

/// Settings of the pages. Loaded in main.
struct WebConfig {
  /// How long a sign-in lasts. unit: seconds. Default 8 hours.
  std::chrono::seconds session_ttl{8 * 3600};
  /// Results per page of the public search. unit: results. Default 10.
  size_t page_size = 10;
};

/// The pages as a PageHandler of the API (api::Api::set_pages). Thin like the API's handlers:
/// public reads call the Service (open scenarios are public, as governments publish them), and
/// every signed-in read and write goes through the JSON API in-process (Api::handle_as) with the
/// session's caller, so ranking, validation and permissions are the API's, written once.
/// Sessions: a key is exchanged for an HttpOnly, SameSite=Strict cookie (Secure behind TLS,
/// i.e. X-Forwarded-Proto: https), stored server-side (Service::open_session); every POST must
/// come from this origin (Origin / Sec-Fetch-Site) and carry the session's CSRF token.
/// Chinese first (`lang` cookie switches to English); every text is HTML-escaped.
class Pages : public api::PageHandler {
 public:
  /// Bytes a multipart envelope may add to an imported file (boundaries, part headers, the
  /// CSRF field): the /import form takes ApiConfig::max_body_bytes plus this. unit: bytes.
  static constexpr size_t kMultipartSlack = 64 * 1024;
  /// The sign-in form's body limit (a key and a CSRF-free form; no session yet). unit: bytes.
  static constexpr size_t kSigninBodyBytes = 4 * 1024;

  explicit Pages(WebConfig config = {});
  bool owns(std::string_view path) const override;
  /// POST only: /import max_body_bytes + kMultipartSlack, /signin kSigninBodyBytes, other forms
  /// max_json_body_bytes; GET and HEAD 0.
  size_t body_limit(std::string_view method, std::string_view path, const api::ApiConfig& config) const override;
  /// Every POST but /signin needs a live session.
  bool needs_session(std::string_view method, std::string_view path) const override;
  api::HttpResponse handle(const api::HttpRequest& request, api::Api& api, Service& service) override;

 private:
  WebConfig config_;
};

}  // namespace jiebang::web
