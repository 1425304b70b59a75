// libFuzzer target: every JSON body the web API parses, sent as the server sends it (Api::handle_as
// on a real Service): the first byte picks the route, the caller's role and the Idempotency-Key,
// the rest is the body. Every answer must be a status with a problem+json error, never a 500.
#include <cstdint>
#include <string>

#include "api_fixture.h"

namespace {

using jiebang::api::HttpRequest;
using jiebang::fuzz::ApiFixture;

struct Target {
  const char* method;
  std::string target;
  const char* content_type;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ApiFixture::get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ApiFixture& f = ApiFixture::get();
  const Target targets[] = {
      {"POST", "/v1/scenarios", "application/json"},
      {"PUT", "/v1/scenarios/" + f.scenario_id, "application/json"},
      {"PATCH", "/v1/scenarios/" + f.scenario_id, "application/merge-patch+json"},
      {"POST", "/v1/enterprises", "application/json"},
      {"PUT", "/v1/enterprises/" + f.enterprise_id, "application/json"},
      {"POST", "/v1/matches", "application/json"},
      {"POST", "/v1/matches/" + f.match_id + "/events", "application/json"},
      {"POST", "/v1/scenarios/import", "application/x-ndjson"},
  };
  constexpr size_t kTargets = sizeof(targets) / sizeof(targets[0]);
  uint8_t pick = data[0];
  const Target& t = targets[pick % kTargets];
  HttpRequest req;
  req.method = t.method;
  req.target = t.target;
  req.headers.set("Content-Type", t.content_type);
  // Bit 7: an Idempotency-Key (one of two, so that retries with other bodies meet 422).
  if (pick & 0x80) req.headers.set("Idempotency-Key", (pick & 0x40) ? "fuzz-key-a" : "fuzz-key-b");
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto caller = jiebang::fuzz::caller_for((pick / kTargets) % 3, f);
  jiebang::fuzz::check_answer(f.api->handle_as(req, caller), req);
  return 0;
}
