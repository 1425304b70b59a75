// Lucene 8 peer for jiebang's ranking evaluation: plain BM25, one document per enterprise, the
// scenario's analysed terms as SHOULD clauses. Compiled and run by bench/peers/run_peers.sh.
//
// Usage: java LucenePeer --analyzer english|smartcn|cjk --docs docs.tsv --queries queries.tsv
//                        --run RUN_OUT [--name RUN_NAME] [--k 10] [--clauses distinct|every]
//        java LucenePeer --version
// docs.tsv / queries.tsv: "id TAB text" lines, written by peer_docs.py.
// --clauses distinct (default): one SHOULD clause per distinct analysed term of the scenario;
//   this reproduces the shared SBIR baseline (Lucene 8.7, EnglishAnalyzer) to three decimals.
// --clauses every: one clause per analysed token, repeats kept (what the classic QueryParser
//   builds), so a word used twice weighs twice.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
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
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Version;

public final class LucenePeer {
  private static final String TEXT = "text";
  private static final String ID = "id";

  private static Analyzer analyzer(String name) {
    switch (name) {
      case "english": return new EnglishAnalyzer();          // standard tokenizer, possessives, lower case, stop words, Porter
      case "smartcn": return new SmartChineseAnalyzer();     // HMM word segmentation, stop words, Porter for Latin words
      case "cjk": return new CJKAnalyzer();                  // CJK bigrams, lower case, stop words
      default: throw new IllegalArgumentException("unknown analyzer " + name + " (english, smartcn, cjk)");
    }
  }

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

  // Every token the analyzer makes of the text, in order, repeats kept.
  private static List<String> terms(Analyzer a, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) out.add(term.toString());
      ts.end();
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    String analyzerName = null, docs = null, queries = null, run = null, runName = "lucene";
    int k = 10;
    boolean distinct = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--version": System.out.println(Version.LATEST); return;
        case "--analyzer": analyzerName = args[++i]; break;
        case "--docs": docs = args[++i]; break;
        case "--queries": queries = args[++i]; break;
        case "--run": run = args[++i]; break;
        case "--name": runName = args[++i]; break;
        case "--k": k = Integer.parseInt(args[++i]); break;
        case "--clauses": {
          String c = args[++i];
          if (!c.equals("distinct") && !c.equals("every")) throw new IllegalArgumentException("--clauses distinct|every");
          distinct = c.equals("distinct");
          break;
        }
        default: throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (analyzerName == null || docs == null || queries == null || run == null)
      throw new IllegalArgumentException("need --analyzer, --docs, --queries and --run");

    long t0 = System.nanoTime();
    Analyzer a = analyzer(analyzerName);
    BM25Similarity bm25 = new BM25Similarity();  // defaults: k1 1.2, b 0.75
    Directory dir = new ByteBuffersDirectory();
    IndexWriterConfig cfg = new IndexWriterConfig(a);
    cfg.setSimilarity(bm25);
    cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    int nDocs = 0;
    try (IndexWriter w = new IndexWriter(dir, cfg)) {
      for (String[] row : readTsv(docs)) {
        Document d = new Document();
        d.add(new StringField(ID, row[0], Field.Store.YES));
        d.add(new TextField(TEXT, row[1], Field.Store.NO));
        w.addDocument(d);
        nDocs++;
      }
    }

    int nQueries = 0, maxClauses = 0, empty = 0;
    try (DirectoryReader reader = DirectoryReader.open(dir);
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(run), StandardCharsets.UTF_8))) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(bm25);
      for (String[] row : readTsv(queries)) {
        nQueries++;
        List<String> tokens = terms(a, row[1]);
        Collection<String> qterms = distinct ? new LinkedHashSet<>(tokens) : tokens;
        maxClauses = Math.max(maxClauses, qterms.size());
        if (qterms.size() > BooleanQuery.getMaxClauseCount()) BooleanQuery.setMaxClauseCount(qterms.size());
        if (qterms.isEmpty()) { empty++; continue; }
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        for (String t : qterms) q.add(new TermQuery(new Term(TEXT, t)), BooleanClause.Occur.SHOULD);
        TopDocs top = searcher.search(q.build(), k);
        int rank = 0;
        for (ScoreDoc sd : top.scoreDocs) {
          String id = searcher.doc(sd.doc).get(ID);
          out.printf(Locale.ROOT, "%s Q0 %s %d %.6f %s%n", row[0], id, ++rank, sd.score, runName);
        }
      }
    }
    System.err.printf(Locale.ROOT, "LucenePeer: Lucene %s, %s analyzer, %d documents, %d queries (%d with no term, "
        + "longest %d clauses, %s), %.1f s%n", Version.LATEST, analyzerName, nDocs, nQueries, empty, maxClauses,
        distinct ? "distinct terms" : "every token",
        (System.nanoTime() - t0) / 1e9);
  }
}
