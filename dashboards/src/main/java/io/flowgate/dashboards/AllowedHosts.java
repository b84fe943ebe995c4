package io.flowgate.dashboards;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Serves only requests whose {@code Host} header names this dashboard: {@code localhost},
 * {@code 127.0.0.1}, {@code [::1]}, the address it listens on, and the names in
 * {@code DASHBOARD_ALLOWED_HOSTS}. A web page on another site that rebinds its own DNS name to
 * 127.0.0.1 reaches this port from the viewer's browser with its own name in {@code Host}, so it is
 * answered 421 and can read nothing. The port in the header is not compared: a name is enough to tell
 * a rebinding page from this dashboard.
 */
final class AllowedHosts extends Filter {

    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final byte[] REFUSED = ("unknown host name: this dashboard answers only to the names in DASHBOARD_ALLOWED_HOSTS\n")
            .getBytes(StandardCharsets.UTF_8);

    private final Set<String> names = new LinkedHashSet<>();

    AllowedHosts(InetSocketAddress bound, Collection<String> configured) {
        List<String> all = new ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
        InetAddress address = bound.getAddress();
        if (address == null || !address.isAnyLocalAddress()) {
            String host = bound.getHostString();
            all.add(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        }
        all.addAll(configured);
        for (String name : all) {
            String canonical = canonical(name.trim());
            if (canonical == null) {
                throw new IllegalArgumentException("DASHBOARD_ALLOWED_HOSTS: not a host name: " + name);
            }
            names.add(canonical);
        }
    }

    /** The names of a {@code DASHBOARD_ALLOWED_HOSTS} value: comma-separated, blanks ignored. */
    static List<String> parse(String setting) {
        if (setting == null) {
            return List.of();
        }
        return List.of(setting.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    boolean allows(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.trim();
        String port = "";
        int close = host.lastIndexOf(']');
        int colon = host.lastIndexOf(':');
        if (colon > close && (close >= 0 || host.indexOf(':') == colon)) {
            port = host.substring(colon + 1);
            host = host.substring(0, colon);
            if (!PORT.matcher(port).matches()) {
                return false;
            }
        }
        String canonical = canonical(host);
        return canonical != null && names.contains(canonical);
    }

    /** Lower case; an IPv6 literal in brackets in its full form, so {@code [::1]} and {@code [0:0::1]} are one name. */
    private static String canonical(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            return null;
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            String literal = name.substring(1, name.length() - 1);
            if (!literal.contains(":") || !IPV6_LITERAL.matcher(literal).matches()) {
                return null;
            }
            try {
                // a literal, so no name lookup happens
                return "[" + InetAddress.getByName(literal).getHostAddress() + "]";
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return name.contains(":") || name.contains("[") || name.contains("]") ? null : name;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        List<String> hosts = exchange.getRequestHeaders().get("Host");
        if (hosts != null && hosts.size() == 1 && allows(hosts.get(0))) {
            chain.doFilter(exchange);
            return;
        }
        HttpResponses.send(exchange, 421, "text/plain; charset=utf-8", REFUSED);
    }

    @Override
    public String description() {
        return "answers only to this dashboard's host names";
    }
}
