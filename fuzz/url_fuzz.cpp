// libFuzzer target: what the server does with a request-target before and around a handler —
// the head checks (length, method, percent-decoded path, route match, 404/405/OPTIONS), the
// query string (percent-decoding, parameters, limit/flag/unknown-name checks) and, for GET and
// HEAD, the whole request on a real Service. The first byte picks the method; the rest is the target.
#include <cstdint>
#include <string>

#include "../src/api/context.h"
#include "api_fixture.h"
#include "jiebang/api/router.h"

namespace {

using jiebang::api::HttpRequest;
using jiebang::fuzz::ApiFixture;

/// Routes whose GET matches records (ranking every candidate): their paths and parameters are
/// checked by route_head and the query checks, but the handler is not run (too slow per input).
bool heavy(std::string_view pattern) {
  return pattern.ends_with("/matches") || pattern == "/v1/gaps" || pattern.starts_with("/v1/digests");
}

void check_decode(std::string_view text, bool plus_is_space) {
  auto decoded = jiebang::api::percent_decode_utf8(text, plus_is_space);
  if (!decoded) return;
  // What we decode, we encode so that it decodes back to itself (the Location headers' form).
  auto again = jiebang::api::percent_decode_utf8(jiebang::api::percent_encode_segment(*decoded), false);
  if (!again || *again != *decoded) {
    std::fprintf(stderr, "percent_encode_segment does not round-trip %s\n", decoded->c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ApiFixture::get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kMethods[] = {"GET", "GET", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH",
                                         "DELETE", "TRACE", "CONNECT", "get", "BREW", ""};
  ApiFixture& f = ApiFixture::get();
  HttpRequest req;
  req.method = kMethods[data[0] % (sizeof(kMethods) / sizeof(kMethods[0]))];
  req.target.assign(reinterpret_cast<const char*>(data) + 1, size - 1);

  check_decode(req.target, false);
  check_decode(req.target, true);
  std::string_view query = req.target;
  if (size_t q = query.find('?'); q != std::string_view::npos) query.remove_prefix(q + 1);
  std::map<std::string, std::string> params;
  try {
    params = jiebang::api::parse_query(query);
  } catch (const jiebang::api::ProblemException& e) {
    if (e.problem().status != 400) std::abort();
  }

  jiebang::api::HeadCheck head = f.api->route_head(req);
  if (head.answer) {
    jiebang::fuzz::check_answer(*head.answer, req);
    return 0;
  }
  if ((req.method != "GET" && req.method != "HEAD") || heavy(head.route)) return 0;
  jiebang::fuzz::check_answer(f.api->handle_as(req, jiebang::fuzz::caller_for(0, f)), req);
  return 0;
}
