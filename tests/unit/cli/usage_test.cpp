// Unit tests of the command line's typo suggestions: edit distance and the closest valid name.
#include <gtest/gtest.h>

#include "cli/usage.h"

namespace jiebang::cli {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndTranspositions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // the textbook pair
  EXPECT_EQ(edit_distance("serach", "search"), 1u);   // one transposition, not two substitutions
  EXPECT_EQ(edit_distance("--limt", "--limit"), 1u);
  EXPECT_EQ(edit_distance("status", "status"), 0u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // restricted: no edit of a transposed pair
}

TEST(ClosestMatch, PicksTheNearestNameWithinTheAllowance) {
  std::vector<std::string> commands = {"import", "search", "match", "matches", "status", "serve", "score-run"};
  EXPECT_EQ(closest_match("serach", commands), "search");
  EXPECT_EQ(closest_match("stats", commands), "status");
  EXPECT_EQ(closest_match("mach", commands), "match");
  EXPECT_EQ(closest_match("matchs", commands), "match");  // tie between match and matches: the first
  EXPECT_EQ(closest_match("frobnicate", commands), "");
  EXPECT_EQ(closest_match("", commands), "");
  // Short names allow one edit only: "xy" is not "serve".
  EXPECT_EQ(closest_match("xy", {"abc"}), "");
  EXPECT_EQ(closest_match("abd", {"abc"}), "abc");
}

TEST(ClosestMatch, TakesAnUnambiguousPrefix) {
  std::vector<std::string> options = {"--scenario", "--enterprise", "--limit", "--json"};
  EXPECT_EQ(closest_match("--ent", options), "--enterprise");
  EXPECT_EQ(closest_match("--", options), "");
  EXPECT_EQ(closest_match("--s", {"--scenario", "--sheet"}), "");  // ambiguous
}

// A tree like jiebang's: every command's help, at any depth, lists the root's global options
// (and only those) with their descriptions, then the root's footer; a command's own footer stays.
TEST(DocumentGlobalOptions, EveryCommandAtAnyDepthListsThemAndTheRootsFooter) {
  CLI::App root{"root"};
  root.footer("Exit codes: 0 ok.");
  std::string dir, local;
  bool create = false;
  root.add_option("--data-dir", dir, "Data directory, the place of the store")->group(kGlobalOptionsGroup);
  root.add_flag("--create", create, "Create the data directory")->group(kGlobalOptionsGroup);
  root.add_option("--root-only", local, "Not global");
  auto* search = root.add_subcommand("search", "Search");
  search->add_option("--limit", local, "Results");
  auto* keys = root.add_subcommand("keys", "Keys");
  auto* create_key = keys->add_subcommand("create", "Create a key");
  auto* digest = root.add_subcommand("digest", "Digest");
  digest->footer("About the digest.");
  document_global_options(root);

  for (CLI::App* command : {search, keys, create_key, digest}) {
    std::string help = command->help();
    SCOPED_TRACE(command->get_name() + " --help:\n" + help);
    size_t group = help.find(std::string(kGlobalOptionsGroup) + ":\n");
    ASSERT_NE(group, std::string::npos);
    EXPECT_NE(help.find("--data-dir TEXT", group), std::string::npos);
    EXPECT_NE(help.find("Data directory, the place of the store", group), std::string::npos);
    EXPECT_NE(help.find("--create", group), std::string::npos);
    EXPECT_EQ(help.find("--root-only"), std::string::npos);
    EXPECT_EQ(help.find(kGlobalOptionsGroup, group + 1), std::string::npos) << "listed once";
    EXPECT_GT(help.find("Exit codes: 0 ok."), group);
  }
  EXPECT_NE(search->help().find("--limit"), std::string::npos);
  std::string digest_help = digest->help();
  EXPECT_LT(digest_help.find("--data-dir TEXT"), digest_help.find("About the digest."));
  // The root lists them as its own options, once, with the footer once.
  std::string root_help = root.help();
  EXPECT_NE(root_help.find(kGlobalOptionsGroup), std::string::npos) << root_help;
  EXPECT_EQ(root_help.find("Exit codes"), root_help.rfind("Exit codes")) << root_help;
}

}  // namespace
}  // namespace jiebang::cli
