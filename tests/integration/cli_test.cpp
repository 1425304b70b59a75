// Black-box tests of the jiebang command line: the real binary, a data directory in a temp dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;
using testing::TempDir;

class Cli : public ::testing::Test {
 protected:
  /// Runs `jiebang --data-dir <tmp>/data --index-dir <index> --create args...`.
  testing::CommandResult run(std::vector<std::string> args) {
    std::vector<std::string> all = {"--data-dir", tmp_.file("data"), "--index-dir", testing::index_dir(), "--create"};
    all.insert(all.end(), args.begin(), args.end());
    return testing::run_cli(tmp_, all);
  }
  /// Imports both fixture files; fails the test if either import fails.
  void import_fixtures() {
    auto e = run({"import", "enterprises", testing::fixture("enterprises.jsonl")});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    auto s = run({"import", "scenarios", testing::fixture("scenarios.jsonl")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
  }
  static json parse(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << text;
    return j;
  }
  TempDir tmp_;
};

// A stage filter that names no stage is a usage error listing the stages, not an empty list.
TEST_F(Cli, MatchesListRefusesAnUnknownStageListingTheValidOnes) {
  auto r = run({"matches", "list", "--stage", "shortlisted"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("shortlisted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("recommended | applied | selected | rd | validation | commercialized | withdrawn | rejected | "
                       "failed"),
            std::string::npos)
      << r.err;
  auto ok = run({"matches", "list", "--stage", "rd", "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(parse(ok.out), json::array());
}

// Every grouping the help offers is taken (the option's check once left out "scenario", which the
// funnel itself and the API accept); another is a usage error.
TEST_F(Cli, FunnelTakesEveryGroupingItsHelpOffers) {
  for (const char* by : {"publisher", "region", "industry", "scenario"}) {
    auto r = run({"funnel", "--group-by", by, "--json"});
    EXPECT_EQ(r.exit_code, 0) << by << ": " << r.err;
    EXPECT_TRUE(parse(r.out).is_array()) << by << ": " << r.out;
  }
  auto help = run({"funnel", "--help"});
  EXPECT_NE(help.out.find("publisher | region | industry | scenario"), std::string::npos) << help.out;
  EXPECT_EQ(run({"funnel", "--group-by", "city"}).exit_code, 2);
}

TEST_F(Cli, ImportGoodFileExitsZero) {
  auto r = run({"import", "scenarios", testing::fixture("scenarios.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("50 read"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 rejected"), std::string::npos) << r.out;
  auto st = run({"status", "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  json j = parse(st.out);
  EXPECT_EQ(j.value("scenarios", -1), 50);
  EXPECT_EQ(j.value("indexed_scenarios", -1), 50);
  EXPECT_EQ(j.value("applied_seq", -1), j.value("store_seq", -2));
}

TEST_F(Cli, ImportFileWithBadRecordExitsNonZeroNamingLineAndKey) {
  auto lines = testing::read_jsonl(testing::fixture("scenarios.jsonl"));
  std::string text;
  for (size_t i = 0; i < 5; ++i) {
    json s = lines[i];
    if (i == 3) s["required_trl"] = 12;  // line 4
    text += s.dump() + "\n";
  }
  std::string path = tmp_.file("bad-scenarios.jsonl");
  testing::write_file(path, text);
  auto r = run({"import", "scenarios", path});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(path + ":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("required_trl"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 rejected"), std::string::npos) << r.out;
  // The four good records were imported all the same.
  auto st = run({"status", "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_EQ(parse(st.out).value("scenarios", -1), 4);
}

TEST_F(Cli, ImportMissingFileExitsNonZero) {
  auto r = run({"import", "scenarios", tmp_.file("missing.jsonl")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.jsonl"), std::string::npos) << r.err;
}

TEST_F(Cli, SearchJsonParsesAndRanksTunnelScenarioFirst) {
  import_fixtures();
  // --status any: the test must not depend on today's date (the default hides passed deadlines).
  auto r = run({"search", "巡检机器人", "--json", "--status", "any"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json hits = parse(r.out);
  ASSERT_TRUE(hits.is_array()) << r.out;
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].value("id", ""), "hz-2026-03-001");
  for (const auto& h : hits) {
    EXPECT_TRUE(h.contains("title"));
    EXPECT_TRUE(h.contains("score"));
    EXPECT_TRUE(h["attributes"].is_object());
  }
}

TEST_F(Cli, SearchWithRegionFilterKeepsToTheCity) {
  import_fixtures();
  auto r = run({"search", "智能", "--region", "330100", "--status", "any", "--json", "--limit", "100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json hits = parse(r.out);
  ASSERT_TRUE(hits.is_array());
  ASSERT_FALSE(hits.empty());
  for (const auto& h : hits) EXPECT_EQ(h["attributes"].value("region", "").rfind("3301", 0), 0u) << h.dump();
}

TEST_F(Cli, SearchWithUnknownRegionFails) {
  import_fixtures();
  auto r = run({"search", "机器人", "--region", "火星市"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("火星市"), std::string::npos) << r.err;
}

TEST_F(Cli, MatchScenarioJsonHasComponents) {
  import_fixtures();
  auto r = run({"match", "--scenario", "hz-2026-03-001", "--json", "--limit", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json results = parse(r.out);
  ASSERT_TRUE(results.is_array()) << r.out;
  ASSERT_FALSE(results.empty());
  EXPECT_LE(results.size(), 5u);
  double previous = 1e300;
  for (size_t i = 0; i < results.size(); ++i) {
    const json& m = results[i];
    EXPECT_EQ(m.value("rank", 0u), i + 1);
    ASSERT_TRUE(m["components"].is_object()) << m.dump();
    for (const char* c : {"text", "track_record", "industry", "region", "readiness"}) {
      ASSERT_TRUE(m["components"].contains(c)) << c << " missing in " << m.dump();
      EXPECT_TRUE(m["components"][c].contains("fit"));
      EXPECT_TRUE(m["components"][c].contains("contribution"));
    }
    EXPECT_FALSE(m.value("reason", "").empty());
    EXPECT_LE(m.value("score", 0.0), previous);
    previous = m.value("score", 0.0);
  }
}

TEST_F(Cli, MatchUnknownScenarioFails) {
  import_fixtures();
  auto r = run({"match", "--scenario", "hz-404", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not_found"), std::string::npos) << r.err;
}

TEST_F(Cli, MatchWithoutIdIsUsageError) {
  auto r = run({"match", "--json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 1) << "a usage error, not a failure: " << r.err;
}

TEST_F(Cli, EvalJsonPrintsTheFourMeasures) {
  auto r = run({"eval", "--enterprises", testing::fixture("enterprises.jsonl"), "--scenarios",
                testing::fixture("scenarios.jsonl"), "--qrels", testing::fixture("qrels.tsv"), "--json", "--run-out",
                tmp_.file("run.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse(r.out);
  ASSERT_TRUE(j.is_object()) << r.out;
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  EXPECT_EQ(keys, (std::set<std::string>{"queries", "mrr@10", "recall@10", "ndcg@10"}));
  std::set<std::string> scenarios_with_answers;
  for (const auto& [s, judged] : testing::fixture_qrels())
    for (const auto& [e, rel] : judged)
      if (rel > 0) scenarios_with_answers.insert(s);
  EXPECT_EQ(j.value("queries", 0u), scenarios_with_answers.size());
  EXPECT_GT(j.value("mrr@10", 0.0), 0.5);
  for (const char* k : {"mrr@10", "recall@10", "ndcg@10"}) {
    EXPECT_GT(j.value(k, -1.0), 0.0) << k;
    EXPECT_LE(j.value(k, 2.0), 1.0) << k;
  }
  std::string run_file = testing::read_file(tmp_.file("run.txt"));
  EXPECT_NE(run_file.find("hz-2026-03-001 Q0 "), std::string::npos);
}

// `eval --per-query` (issue 14): one line per measured query whose figures add up to the means,
// the first relevant answer's rank agreeing with RR@10, and the answers missed below 10 (with the
// rank they have in the top 100, or 0 for none) being exactly what Recall@10 lacks. The fixtures
// miss some answers (Recall@10 < 1); the text form is checked on the small marketplace (quick).
TEST_F(Cli, EvalPerQueryTracesTheMeansToEachQuery) {
  auto r = run({"eval", "--enterprises", testing::fixture("enterprises.jsonl"), "--scenarios",
                testing::fixture("scenarios.jsonl"), "--qrels", testing::fixture("qrels.tsv"), "--per-query", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse(r.out);
  ASSERT_TRUE(j.contains("per_query")) << r.out;
  auto qrels = testing::fixture_qrels();
  ASSERT_EQ(j["per_query"].size(), j.at("queries").get<size_t>());
  double rr = 0, recall = 0, ndcg = 0;
  size_t missed_total = 0;
  for (const auto& q : j["per_query"]) {
    std::string id = q.at("query");
    ASSERT_TRUE(qrels.count(id)) << id;
    size_t relevant = 0;
    for (const auto& [e, rel] : qrels.at(id)) relevant += rel > 0;
    EXPECT_EQ(q.at("relevant").get<size_t>(), relevant) << id;
    size_t first = q.at("first_relevant");
    EXPECT_DOUBLE_EQ(q.at("rr@10").get<double>(), first >= 1 && first <= 10 ? 1.0 / static_cast<double>(first) : 0.0) << id;
    size_t missed = q.at("missed").size();
    missed_total += missed;
    EXPECT_NEAR(q.at("recall@10").get<double>(), static_cast<double>(relevant - missed) / static_cast<double>(relevant), 1e-12)
        << id;
    for (const auto& m : q.at("missed")) {
      EXPECT_GT(qrels.at(id).at(m.at("id").get<std::string>()), 0) << id;
      size_t rank = m.at("rank");
      EXPECT_TRUE(rank == 0 || (rank > 10 && rank <= 100)) << id << " " << m.dump();
    }
    rr += q.at("rr@10").get<double>();
    recall += q.at("recall@10").get<double>();
    ndcg += q.at("ndcg@10").get<double>();
  }
  EXPECT_GT(missed_total, 0u) << "the fixtures miss some answers, so the missed lists are exercised";
  const double n = static_cast<double>(j["per_query"].size());
  EXPECT_NEAR(rr / n, j.at("mrr@10").get<double>(), 1e-9);
  EXPECT_NEAR(recall / n, j.at("recall@10").get<double>(), 1e-9);
  EXPECT_NEAR(ndcg / n, j.at("ndcg@10").get<double>(), 1e-9);

  auto text = run({"eval", "--enterprises", testing::fixture("small-marketplace/enterprises.jsonl"), "--scenarios",
                   testing::fixture("small-marketplace/scenarios.jsonl"), "--qrels",
                   testing::fixture("small-marketplace/qrels.tsv"), "--per-query"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("missed (id@rank)"), std::string::npos) << text.out;
  for (const auto& [id, judged] : testing::fixture_qrels("small-marketplace/qrels.tsv"))
    EXPECT_NE(text.out.find("\n" + id + " "), std::string::npos) << id << "\n" << text.out;
  EXPECT_NE(text.out.find("nDCG@10     "), std::string::npos) << text.out;
}

// Regression (breaking pass, finding 8): the open-scenario rule holds on the command line too, for
// the operator (the CLI's default role) as for the others.
TEST_F(Cli, NoMatchIsMadeOrMovedIntoAppliedOnAClosedScenario) {
  import_fixtures();
  std::string enterprise = testing::read_jsonl(testing::fixture("enterprises.jsonl")).at(0)["id"].get<std::string>();
  // hz-2026-03-015 is closed in the fixtures.
  for (std::vector<std::string> as : {std::vector<std::string>{"--as", "operator", "--actor", "ops"},
                                      {"--as", "enterprise", "--actor", enterprise},
                                      {"--as", "publisher", "--actor", "杭州市西湖区教育局"}}) {
    std::vector<std::string> args = {"matches", "create", "--scenario", "hz-2026-03-015", "--enterprise", enterprise};
    args.insert(args.end(), as.begin(), as.end());
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 1) << as[1] << r.out << r.err;
    EXPECT_NE(r.err.find("scenario hz-2026-03-015 is closed"), std::string::npos) << r.err;
  }
  auto listed = run({"matches", "list", "--json"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find("hz-2026-03-015"), std::string::npos) << listed.out;
}

TEST_F(Cli, HelpExitsZero) {
  auto r = testing::run_cli(tmp_, {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("import"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("search"), std::string::npos) << r.out;
}

// The real binary's commands' --help list the global options with their meaning and the exit
// codes (a top-level command, one with a footer of its own, a nested one); every depth is covered by
// DocumentGlobalOptions in tests/unit/cli/usage_test.cpp.
TEST_F(Cli, CommandHelpListsTheGlobalOptions) {
  for (std::vector<std::string> command : {std::vector<std::string>{"search"}, {"digest"}, {"keys", "create"}}) {
    std::string name = "jiebang";
    for (const auto& p : command) name += " " + p;
    command.push_back("--help");
    auto r = testing::run_cli(tmp_, command);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    size_t group = r.out.find("\nGlobal options (before or after the command):\n");
    ASSERT_NE(group, std::string::npos) << name << " --help:\n" << r.out;
    for (const char* option : {"--config TEXT", "--data-dir TEXT", "--index-dir TEXT", "--weights TEXT", "--create"})
      EXPECT_NE(r.out.find(std::string("\n  ") + option + " ", group), std::string::npos)
          << name << " --help does not list " << option << ":\n" << r.out;
    EXPECT_NE(r.out.find("Data directory (store + index)", group), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Exit codes: 0 success; 1 failure or rejected records; 2 usage error."), std::string::npos)
        << name << " --help:\n" << r.out;
  }
  auto digest = testing::run_cli(tmp_, {"digest", "--help"});
  EXPECT_LT(digest.out.find("--data-dir TEXT"), digest.out.find("The digest of week W")) << "digest's own footer is kept";
}

TEST_F(Cli, UnknownSubcommandExitsNonZero) {
  auto r = run({"frobnicate"});
  EXPECT_NE(r.exit_code, 0);
  auto none = run({});
  EXPECT_NE(none.exit_code, 0) << "a subcommand is required";
}


// Global options go before or after the subcommand (nested ones too), with the same result.
TEST_F(Cli, GlobalOptionsAcceptedAfterTheSubcommand) {
  std::string data = tmp_.file("data"), index = testing::index_dir();
  auto imp = testing::run_cli(tmp_, {"import", "scenarios", testing::fixture("scenarios.jsonl"), "--data-dir", data,
                                     "--index-dir", index, "--create"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.out.find("50 read"), std::string::npos) << imp.out;
  auto before = testing::run_cli(tmp_, {"--data-dir", data, "--index-dir", index, "search", "巡检机器人", "--json"});
  auto after = testing::run_cli(tmp_, {"search", "--data-dir", data, "巡检机器人", "--index-dir", index, "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  EXPECT_NE(after.out.find("hz-2026-03-001"), std::string::npos) << after.out;
  auto nested = testing::run_cli(tmp_, {"keys", "list", "--json", "--data-dir", data, "--index-dir", index});
  ASSERT_EQ(nested.exit_code, 0) << nested.err;
  EXPECT_TRUE(parse(nested.out).is_array()) << nested.out;
}

TEST_F(Cli, MistypedCommandIsAnsweredWithTheClosestOne) {
  auto r = run({"serach", "巡检"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("jiebang: error: unknown command \"serach\"; did you mean \"search\"?"), std::string::npos) << r.err;
  auto nested = run({"keys", "craete", "--role", "operator"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("jiebang keys: error: unknown command \"craete\"; did you mean \"create\"?"), std::string::npos)
      << nested.err;
  // Nothing close: the list of commands instead of a guess.
  auto far = run({"frobnicate"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
  EXPECT_NE(far.err.find("the commands are: init, import, search"), std::string::npos) << far.err;
  auto none = run({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("a command is required: init, import, search"), std::string::npos) << none.err;
}

TEST_F(Cli, MistypedOptionIsAnsweredWithTheClosestOneAndNothingRuns) {
  auto r = run({"import", "scenarios", testing::fixture("scenarios.jsonl"), "--shet", "Sheet1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("jiebang import: error: unknown option \"--shet\"; did you mean \"--sheet\"?"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("data"))) << "the import ran despite the usage error";
  auto global = testing::run_cli(tmp_, {"search", "巡检", "--data-dri", tmp_.file("data")});
  EXPECT_EQ(global.exit_code, 2);
  EXPECT_NE(global.err.find("unknown option \"--data-dri\"; did you mean \"--data-dir\"?"), std::string::npos)
      << global.err;
  auto with_value = run({"match", "--scenario", "hz-2026-03-001", "--limt=5"});
  EXPECT_EQ(with_value.exit_code, 2);
  EXPECT_NE(with_value.err.find("unknown option \"--limt\"; did you mean \"--limit\"?"), std::string::npos)
      << with_value.err;
  auto far = run({"status", "--frobnicate"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown option \"--frobnicate\"; \"jiebang status --help\" lists the options"),
            std::string::npos)
      << far.err;
}

// A usage error names the command and the option or argument, and exits 2 (not 1, a failure).
TEST_F(Cli, UsageErrorsNameTheCommandAndTheArgument) {
  auto range = run({"match", "--scenario", "hz-2026-03-001", "--limit", "0"});
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_EQ(range.err.rfind("jiebang match: error: --limit: ", 0), 0u) << range.err;
  auto extra = run({"search", "巡检", "机器人"});
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_NE(extra.err.find("jiebang search: error: unexpected argument \"机器人\""), std::string::npos) << extra.err;
  auto missing = run({"match", "--json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("jiebang match: error: give --scenario ID or --enterprise ID"), std::string::npos)
      << missing.err;
}


// A data directory that does not exist is refused by every command that opens it (a typo used to
// create it silently and search answered "no open scenarios match"); init or --create make one.
TEST(CliDataDir, MissingDirectoryIsRefusedUntilInitOrCreateMakesIt) {
  TempDir tmp;
  std::string missing = tmp.file("no/such/dir"), index = testing::index_dir();
  auto search = testing::run_cli(tmp, {"--data-dir", missing, "--index-dir", index, "search", "巡检"});
  EXPECT_EQ(search.exit_code, 1);
  EXPECT_NE(search.err.find("data directory \"" + missing + "\" (from --data-dir) does not exist; create it with "
                            "\"jiebang --data-dir " + missing + " init\", or add --create"),
            std::string::npos)
      << search.err;
  auto import = testing::run_cli(tmp, {"import", "scenarios", testing::fixture("scenarios.jsonl"), "--data-dir", missing,
                                       "--index-dir", index});
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_NE(import.err.find("does not exist"), std::string::npos) << import.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("no"))) << "a refused command created the directory";

  // From the environment: the message says so.
  setenv("JIEBANG_DATA_DIR", missing.c_str(), 1);
  auto from_env = testing::run_cli(tmp, {"--index-dir", index, "status"});
  unsetenv("JIEBANG_DATA_DIR");
  EXPECT_EQ(from_env.exit_code, 1);
  EXPECT_NE(from_env.err.find("(from JIEBANG_DATA_DIR) does not exist; create it with \"jiebang init\""),
            std::string::npos)
      << from_env.err;

  // A path that is a file.
  testing::write_file(tmp.file("file"), "x");
  auto file = testing::run_cli(tmp, {"--data-dir", tmp.file("file"), "--index-dir", index, "status"});
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_NE(file.err.find("is not a directory"), std::string::npos) << file.err;

  // init makes it (parents too), a second init changes nothing, then the commands work.
  auto init = testing::run_cli(tmp, {"--data-dir", missing, "--index-dir", index, "init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("initialised"), std::string::npos) << init.out;
  EXPECT_TRUE(std::filesystem::exists(missing + "/jiebang.sqlite3"));
  auto again = testing::run_cli(tmp, {"init", "--data-dir", missing, "--index-dir", index});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already a jiebang data directory (0 scenarios, 0 enterprises); nothing changed"),
            std::string::npos)
      << again.out;
  auto status = testing::run_cli(tmp, {"--data-dir", missing, "--index-dir", index, "status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.err;

  // --create on any command.
  std::string other = tmp.file("other");
  auto created = testing::run_cli(tmp, {"search", "巡检", "--data-dir", other, "--index-dir", index, "--create"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(std::filesystem::is_directory(other));
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

TEST(CliOutput, ControlCharactersAndBidiOverridesArePrintedEscaped) {
  testing::TempDir tmp;
  // The id carries an ESC sequence (clear screen), the title an RLO: both refused, and the error
  // lines that name the record show them escaped.
  std::string path = tmp.file("hostile.jsonl");
  testing::write_file(path, "{\"id\":\"s\\u001b[2Jx\",\"title\":\"t\",\"description\":\"d\",\"publisher\":\"p\"}\n"
                            "{\"id\":\"ok-1\",\"title\":\"a\\u202Eb\",\"description\":\"d\",\"publisher\":\"p\"}\n");
  auto r = testing::run_cli(tmp, {"--create", "--data-dir", tmp.file("data"), "--index-dir", testing::index_dir(), "import",
                                  "scenarios", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("[s\\u001B[2Jx]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("U+202E"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "a raw ESC reached the terminal";
  EXPECT_EQ(r.err.find("\xE2\x80\xAE"), std::string::npos) << "a raw RLO reached the terminal";
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

// Regression: the output filter took a lead byte's length on trust, so an ill-formed lead byte
// (E2) swallowed the first two bytes of a following RLO (E2 80 AE) and let its last byte through
// — and with it, the RLO re-formed on the terminal. Now an ill-formed byte is printed as \xNN and
// what follows it is read from its own first byte.
TEST(CliOutput, AnIllFormedByteCannotSmuggleABidiOverrideThrough) {
  testing::TempDir tmp;
  auto r = testing::run_cli(tmp, {"--create", "--data-dir", tmp.file("data"), "--index-dir", testing::index_dir(),
                                  "search", "a\xE2\xE2\x80\xAE" "b"});
  std::string all = r.out + r.err;
  EXPECT_EQ(all.find("\xE2\x80\xAE"), std::string::npos) << "a raw RLO reached the terminal: " << all;
  EXPECT_NE(all.find("\\xE2\\u202E"), std::string::npos) << all;
}

}  // namespace
}  // namespace jiebang
