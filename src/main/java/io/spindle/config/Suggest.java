package io.spindle.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys and names: the closest valid word within 2 edits. */
final class Suggest {

  private Suggest() {}

  static Optional<String> closest(String word, Collection<String> valid) {
    if (word == null) {
      return Optional.empty();
    }
    String w = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    for (String candidate : valid) {
      int d = distance(w, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance && d <= Math.max(1, w.length() / 2)) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Levenshtein distance; inputs are short key names, and long ones are not worth comparing. */
  static int distance(String a, String b) {
    if (a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
