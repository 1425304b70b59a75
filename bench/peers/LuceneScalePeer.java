// Lucene 8 peer for bench/scale_bench.sh: indexing throughput, match and search latency, bytes on disk.
//
// Usage: java LuceneScalePeer --docs docs.tsv --queries queries.tsv --search search.tsv --index DIR
//                             [--store fs|mem] [--threads N] [--k 10] [--warmup 10]
//        java LuceneScalePeer --version
// docs.tsv / queries.tsv: "id TAB text" lines written by peer_docs.py (enterprises, scenarios);
// search.tsv: "n TAB query" lines, the search-box queries jiebang_bench timed.
// The same analyzer and query shape as LucenePeer (bench/peers/run_peers.sh): SmartChineseAnalyzer,
// BM25 at its defaults (k1 1.2, b 0.75), one SHOULD TermQuery per distinct analysed term, top k.
//  - indexing: every enterprise document added by N threads (default 1) to one IndexWriter, then
//    commit and close; timed from the first line read to the end of the commit.
//  - match: each scenario's text as the query against the enterprise index; each call is timed from
//    the analysis of the text to the stored ids of the top k, after --warmup untimed calls.
//  - search: the scenarios are indexed too (a second index, not part of the indexing figure); each
//    search query's analysed terms as SHOULD clauses over it, top k, with the exact total hit count
//    (jiebang's search box counts every match too).
// --store fs (default): an FSDirectory (memory-mapped) under --index, so its bytes are on disk;
// --store mem: a ByteBuffersDirectory (the figure is then the bytes it holds in memory).
// Prints one JSON object on stdout; progress on stderr.
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

public final class LuceneScalePeer {
  private static final String TEXT = "text";
  private static final String ID = "id";

  private static List<String[]> readTsv(String path) throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(Paths.get(path), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        int tab = line.indexOf('\t');
        rows.add(tab < 0 ? new String[] {line, ""} : new String[] {line.substring(0, tab), line.substring(tab + 1)});
      }
    }
    return rows;
  }

  private static LinkedHashSet<String> distinctTerms(Analyzer a, String text) throws IOException {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    try (TokenStream ts = a.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) out.add(term.toString());
      ts.end();
    }
    return out;
  }

  private static Query shouldQuery(Analyzer a, String text) throws IOException {
    LinkedHashSet<String> terms = distinctTerms(a, text);
    if (terms.isEmpty()) return null;
    if (terms.size() > BooleanQuery.getMaxClauseCount()) BooleanQuery.setMaxClauseCount(terms.size());
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    for (String t : terms) q.add(new TermQuery(new Term(TEXT, t)), BooleanClause.Occur.SHOULD);
    return q.build();
  }

  private static Directory open(String store, Path dir) throws IOException {
    if (store.equals("mem")) return new ByteBuffersDirectory();
    Files.createDirectories(dir);
    return FSDirectory.open(dir);
  }

  private static long bytes(Directory d) throws IOException {
    long n = 0;
    for (String f : d.listAll()) n += d.fileLength(f);
    return n;
  }

  /** Adds every row as a document (id stored, text analysed) with `threads` threads, then commits. */
  private static void index(Directory dir, List<String[]> rows, int threads, BM25Similarity bm25) throws Exception {
    IndexWriterConfig cfg = new IndexWriterConfig(new SmartChineseAnalyzer());
    cfg.setSimilarity(bm25);
    cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    try (IndexWriter w = new IndexWriter(dir, cfg)) {
      AtomicInteger next = new AtomicInteger();
      Exception[] failure = new Exception[1];
      Runnable work = () -> {
        try {
          for (int i = next.getAndIncrement(); i < rows.size(); i = next.getAndIncrement()) {
            Document d = new Document();
            d.add(new StringField(ID, rows.get(i)[0], Field.Store.YES));
            d.add(new TextField(TEXT, rows.get(i)[1], Field.Store.NO));
            w.addDocument(d);
          }
        } catch (Exception e) {
          synchronized (failure) { failure[0] = e; }
        }
      };
      List<Thread> pool = new ArrayList<>();
      for (int t = 0; t < threads; t++) { Thread th = new Thread(work); th.start(); pool.add(th); }
      for (Thread th : pool) th.join();
      if (failure[0] != null) throw failure[0];
      w.commit();
    }
  }

  /** CPU time of the whole JVM (every thread: indexing, JIT, GC) so far; unit: ns; -1 if unknown. */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean)
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    return -1;
  }

  /** Nearest-rank percentile of sorted values: the value at rank ceil(p/100 · n). */
  private static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
  }

  private static String series(double[] ms, double[] cpuMs, int empty) {
    double[] s = ms.clone();
    Arrays.sort(s);
    double[] c = cpuMs.clone();
    Arrays.sort(c);
    double total = 0;
    for (double v : s) total += v;
    return String.format(Locale.ROOT,
        "{\"calls\": %d, \"empty_results\": %d, \"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
            + "\"mean_ms\": %.3f, \"cpu_p50_ms\": %.3f, \"cpu_p99_ms\": %.3f}",
        s.length, empty, pct(s, 50), pct(s, 95), pct(s, 99), s.length == 0 ? 0 : s[s.length - 1],
        s.length == 0 ? 0 : total / s.length, pct(c, 50), pct(c, 99));
  }

  /** CPU time of the calling thread; unit: ms (what a call costs, apart from waiting for a core). */
  private static double threadCpuMs() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e6;
  }

  public static void main(String[] args) throws Exception {
    String docs = null, queries = null, search = null, indexDir = null, store = "fs";
    int k = 10, threads = 1, warmup = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--version": System.out.println(Version.LATEST); return;
        case "--docs": docs = args[++i]; break;
        case "--queries": queries = args[++i]; break;
        case "--search": search = args[++i]; break;
        case "--index": indexDir = args[++i]; break;
        case "--store": store = args[++i]; break;
        case "--threads": threads = Integer.parseInt(args[++i]); break;
        case "--k": k = Integer.parseInt(args[++i]); break;
        case "--warmup": warmup = Integer.parseInt(args[++i]); break;
        default: throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (docs == null || queries == null || search == null || indexDir == null)
      throw new IllegalArgumentException("need --docs, --queries, --search and --index");
    if (!store.equals("fs") && !store.equals("mem")) throw new IllegalArgumentException("--store fs|mem");
    if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1");

    BM25Similarity bm25 = new BM25Similarity();  // k1 1.2, b 0.75
    Analyzer a = new SmartChineseAnalyzer();

    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    List<String[]> enterpriseRows = readTsv(docs);
    Directory enterprises = open(store, Paths.get(indexDir, "enterprises"));
    index(enterprises, enterpriseRows, threads, bm25);
    double indexSeconds = (System.nanoTime() - t0) / 1e9;
    double indexCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
    long enterpriseBytes = bytes(enterprises);
    int nDocs = enterpriseRows.size();
    enterpriseRows = null;
    System.err.printf(Locale.ROOT, "LuceneScalePeer: indexed %d enterprises in %.1f s (%s, %d threads)%n", nDocs,
        indexSeconds, store, threads);

    List<String[]> scenarioRows = readTsv(queries);
    Directory scenarios = open(store, Paths.get(indexDir, "scenarios"));
    index(scenarios, scenarioRows, 1, bm25);
    long scenarioBytes = bytes(scenarios);

    List<String> searchQueries = new ArrayList<>();
    for (String[] row : readTsv(search)) searchQueries.add(row[1]);

    double[] matchMs = new double[scenarioRows.size()], matchCpuMs = new double[scenarioRows.size()];
    double[] searchMs = new double[searchQueries.size()], searchCpuMs = new double[searchQueries.size()];
    int matchEmpty = 0, searchEmpty = 0, maxClauses = 0;
    try (DirectoryReader er = DirectoryReader.open(enterprises); DirectoryReader sr = DirectoryReader.open(scenarios)) {
      IndexSearcher es = new IndexSearcher(er);
      es.setSimilarity(bm25);
      IndexSearcher ss = new IndexSearcher(sr);
      ss.setSimilarity(bm25);
      for (int w = 0; w < warmup && !scenarioRows.isEmpty(); w++) {  // untimed, as jiebang_bench warms up
        Query q = shouldQuery(a, scenarioRows.get(w % scenarioRows.size())[1]);
        if (q != null) es.search(q, k);
      }
      for (int i = 0; i < scenarioRows.size(); i++) {
        double c0 = threadCpuMs();
        long s = System.nanoTime();
        Query q = shouldQuery(a, scenarioRows.get(i)[1]);
        int found = 0;
        if (q != null) {
          maxClauses = Math.max(maxClauses, ((BooleanQuery) q).clauses().size());
          TopDocs top = es.search(q, k);
          for (ScoreDoc sd : top.scoreDocs) { if (es.doc(sd.doc).get(ID) != null) found++; }
        }
        matchMs[i] = (System.nanoTime() - s) / 1e6;
        matchCpuMs[i] = threadCpuMs() - c0;
        if (found == 0) matchEmpty++;
      }
      for (int w = 0; w < warmup && !searchQueries.isEmpty(); w++) {
        Query q = shouldQuery(a, searchQueries.get(w % searchQueries.size()));
        if (q != null) ss.search(q, k);
      }
      for (int i = 0; i < searchQueries.size(); i++) {
        double c0 = threadCpuMs();
        long s = System.nanoTime();
        Query q = shouldQuery(a, searchQueries.get(i));
        int found = 0;
        if (q != null) {
          TopScoreDocCollector c = TopScoreDocCollector.create(k, Integer.MAX_VALUE);  // exact total, as jiebang
          ss.search(q, c);
          for (ScoreDoc sd : c.topDocs().scoreDocs) { if (ss.doc(sd.doc).get(ID) != null) found++; }
        }
        searchMs[i] = (System.nanoTime() - s) / 1e6;
        searchCpuMs[i] = threadCpuMs() - c0;
        if (found == 0) searchEmpty++;
      }
    }
    enterprises.close();
    scenarios.close();
    System.out.printf(Locale.ROOT,
        "{\"lucene\": \"%s\", \"store\": \"%s\", \"threads\": %d, \"enterprises\": %d, \"index_seconds\": %.3f, "
            + "\"index_cpu_seconds\": %.3f, "
            + "\"profiles_per_s\": %.1f, \"enterprise_index_bytes\": %d, \"scenario_index_bytes\": %d, "
            + "\"longest_match_clauses\": %d, \"match\": %s, \"search\": %s, \"heap_max_mib\": %.0f}%n",
        Version.LATEST, store, threads, nDocs, indexSeconds, indexCpuSeconds, nDocs / indexSeconds, enterpriseBytes, scenarioBytes,
        maxClauses, series(matchMs, matchCpuMs, matchEmpty), series(searchMs, searchCpuMs, searchEmpty),
        Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0));
  }
}
