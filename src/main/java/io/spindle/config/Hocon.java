package io.spindle.config;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Writes small values as HOCON the way users write them ({@code { type = dense, units = 10 }}),
 * keeping key order; the typesafe renderer sorts keys and quotes everything.
 */
final class Hocon {

  private static final Pattern BARE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

  private Hocon() {}

  static String inlineObject(Map<String, ?> map) {
    StringJoiner j = new StringJoiner(", ", "{ ", " }").setEmptyValue("{}");
    for (Map.Entry<String, ?> e : map.entrySet()) {
      j.add(key(e.getKey()) + " = " + value(e.getValue()));
    }
    return j.toString();
  }

  static String value(Object v) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> map = (Map<String, ?>) m;
      return inlineObject(map);
    }
    if (v instanceof List<?> list) {
      StringJoiner j = new StringJoiner(", ", "[", "]");
      list.forEach(x -> j.add(value(x)));
      return j.toString();
    }
    if (v instanceof String s && BARE.matcher(s).matches() && !isKeyword(s)) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    return ConfigValueFactory.fromAnyRef(v).render(ConfigRenderOptions.concise());
  }

  private static String key(String k) {
    return BARE.matcher(k).matches() ? k : ConfigValueFactory.fromAnyRef(k).render(ConfigRenderOptions.concise());
  }

  private static boolean isKeyword(String s) {
    return s.equals("true") || s.equals("false") || s.equals("null") || s.equals("yes")
        || s.equals("no") || s.equals("on") || s.equals("off");
  }
}
