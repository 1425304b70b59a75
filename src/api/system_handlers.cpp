// Handlers for the operational routes: /healthz, /metrics (Prometheus text), /openapi.json.
#include <fmt/format.h>

#include "context.h"

namespace jiebang::api {

HttpResponse get_healthz(RequestContext& ctx) {
  ctx.allow_query({});
  auto state = ctx.service.state();
  if (!state)
    return make_problem(503, "the store or the index cannot be read: " + state.status().message()).response();
  const auto& s = *state;
  return HttpResponse::json(
      200, {{"status", "ok"},
            {"store", {{"scenarios", s.scenarios}, {"enterprises", s.enterprises}, {"seq", s.store_seq}}},
            {"index",
             {{"applied_seq", s.applied_seq},
              {"lag", s.store_seq - s.applied_seq},
              {"scenarios", s.indexed_scenarios},
              {"enterprises", s.indexed_enterprises},
              {"writable", ctx.index_writable}}}});
}

HttpResponse get_metrics(RequestContext& ctx) {
  ctx.allow_query({});
  std::string out = ctx.metrics.render();
  out += "# HELP jiebang_http_queue_depth Requests waiting for the service thread.\n";
  out += "# TYPE jiebang_http_queue_depth gauge\n";
  out += fmt::format("jiebang_http_queue_depth {}\n", ctx.queue_depth ? ctx.queue_depth() : 0);
  if (auto st = ctx.service.state()) {
    out += "# HELP jiebang_store_seq Last change seq in the store (SQLite).\n# TYPE jiebang_store_seq gauge\n";
    out += fmt::format("jiebang_store_seq {}\n", st->store_seq);
    out += "# HELP jiebang_index_applied_seq Last change seq the index (Xapian) has applied.\n"
           "# TYPE jiebang_index_applied_seq gauge\n";
    out += fmt::format("jiebang_index_applied_seq {}\n", st->applied_seq);
    out += "# HELP jiebang_index_lag Store changes not yet in the index (store seq - applied seq).\n"
           "# TYPE jiebang_index_lag gauge\n";
    out += fmt::format("jiebang_index_lag {}\n", st->store_seq - st->applied_seq);
    out += "# HELP jiebang_records Records in the store, by kind.\n# TYPE jiebang_records gauge\n";
    out += fmt::format("jiebang_records{{kind=\"scenario\"}} {}\njiebang_records{{kind=\"enterprise\"}} {}\n",
                       st->scenarios, st->enterprises);
    out += "# HELP jiebang_index_documents Documents in the index, by kind.\n# TYPE jiebang_index_documents gauge\n";
    out += fmt::format(
        "jiebang_index_documents{{kind=\"scenario\"}} {}\njiebang_index_documents{{kind=\"enterprise\"}} {}\n",
        st->indexed_scenarios, st->indexed_enterprises);
  }
  return HttpResponse::text(200, "text/plain; version=0.0.4; charset=utf-8", std::move(out));
}

HttpResponse get_openapi(RequestContext& ctx) {
  ctx.allow_query({});
  return HttpResponse::json(200, openapi_document());
}

}  // namespace jiebang::api
