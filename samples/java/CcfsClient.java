import java.io.*;
import java.net.*;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.CertificateFactory;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.util.*;
import java.util.regex.*;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.*;

/**
 * A CC-FS client in plain Java 17 (JDK only): auth-v2 signing, upload, hash, download, delete, with retries.
 *   java CcfsClient.java prompt.wav        (upload, hash and compare, download and compare, delete)
 *   java CcfsClient.java --check-example   (prints docs/auth-v2.md's worked example: ...ca8e2461...b14692)
 * Environment: CCFS_ENDPOINT (https://127.0.0.1:8443), CCFS_ACCESS_KEY, CCFS_SECRET_KEY (the development account),
 * CCFS_VDN (1), CCFS_CACERT (a PEM to trust, such as ~/.ccfs/dev-certificate.pem), CCFS_TRANSPORT (httpclient | urlconnection).
 */
public class CcfsClient {
    static final String BASE = "/CCFS/resource/ccfs/ivr/";
    static final String CONTENT_TYPE = "application/json;charset=UTF-8"; // sent and signed exactly so
    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Set<String> BUSY = Set.of("0300503", "0300008", "0300009"); // busy; download / query flow control
    static final int ATTEMPTS = 4;

    final URI endpoint; final String ak, sk; final SSLContext ssl; final boolean urlConnection; final HttpClient http;

    CcfsClient(String endpoint, String ak, String sk, SSLContext ssl, boolean urlConnection) {
        this.endpoint = URI.create(endpoint); this.ak = ak; this.sk = sk; this.ssl = ssl; this.urlConnection = urlConnection;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    // ---- auth-v2 (docs/auth-v2.md) ----

    /** Every byte outside A-Z a-z 0-9 - . _ ~ as %XX, upper-case hex (not URLEncoder: it writes a space as '+'). */
    static String normalize(byte[] data) {
        StringBuilder s = new StringBuilder(data.length * 2);
        for (byte x : data) {
            int c = x & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~')
                s.append((char) c);
            else s.append('%').append("0123456789ABCDEF".charAt(c >> 4)).append("0123456789ABCDEF".charAt(c & 15));
        }
        return s.toString();
    }

    /** Both keys are text: the SK's bytes, then the signing key's 64 hex characters. */
    static String hmacHex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) { throw new IllegalStateException(e); }
    }

    /** headers: lower-case name -> value exactly as sent; query: "vdnId=1" or null; body: the bytes sent. */
    static String authorization(String method, String path, String query, Map<String, String> headers, byte[] body,
                                String ak, String sk, String timestamp) {
        List<String> names = new ArrayList<>(headers.keySet());
        Collections.sort(names);
        String signed = String.join(";", names);
        String prefix = "auth-v2/" + ak + "/" + timestamp + "/" + signed;
        List<String> lines = new ArrayList<>(List.of(method, path));
        if (query != null) lines.add(query);
        lines.add(signed);
        for (String n : names) lines.add(n + ":" + normalize(headers.get(n).getBytes(StandardCharsets.UTF_8)));
        lines.add(normalize(body));
        return prefix + "/" + hmacHex(hmacHex(sk, prefix), String.join("\n", lines));
    }

    /** The Host both JDK clients send: the port only when the URL names one. */
    static String hostHeader(URI u) { return u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort()); }

    // ---- one signed POST ----

    record Answer(int status, String contentType, String reason, String retryAfter, byte[] body) {
        String resultCode() { return field(body, "resultCode"); }
    }

    Answer post(String op, String query, String json) throws IOException, InterruptedException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8); // no BOM
        String path = BASE + op;
        Map<String, String> signed = Map.of("content-length", Integer.toString(body.length), "content-type", CONTENT_TYPE,
                "host", hostHeader(endpoint));
        String auth = authorization("POST", path, query, signed, body, ak, sk, TS.format(Instant.now()));
        URI uri = endpoint.resolve(path + (query == null ? "" : "?" + query));
        return urlConnection ? postWithUrlConnection(uri, auth, body) : postWithHttpClient(uri, auth, body);
    }

    Answer postWithHttpClient(URI uri, String auth, byte[] body) throws IOException, InterruptedException {
        // ofByteArray sends Content-Length (ofInputStream would send chunked, without it). The timeout ends at the
        // answer's headers: a body that trickles in is not bounded by it.
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Content-Type", CONTENT_TYPE)
                .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        HttpHeaders h = r.headers();
        return new Answer(r.statusCode(), h.firstValue("Content-Type").orElse(""), h.firstValue("X-Ccfs-Reason").orElse(null),
                h.firstValue("Retry-After").orElse(null), r.body());
    }

    Answer postWithUrlConnection(URI uri, String auth, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (ssl != null && c instanceof HttpsURLConnection s) s.setSSLSocketFactory(ssl.getSocketFactory());
        c.setConnectTimeout((int) TIMEOUT.toMillis()); // both default to 0: wait for ever
        c.setReadTimeout((int) TIMEOUT.toMillis());    // bounds each wait for bytes, not a whole trickling body
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", CONTENT_TYPE); // the default is application/x-www-form-urlencoded (415)
        c.setRequestProperty("Authorization", auth);
        c.setFixedLengthStreamingMode(body.length);         // Content-Length, not chunked, and no buffering
        try (OutputStream o = c.getOutputStream()) { o.write(body); }
        int status = c.getResponseCode();
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null ? new byte[0] : in.readAllBytes();
        }
        return new Answer(status, Objects.toString(c.getContentType(), ""), c.getHeaderField("X-Ccfs-Reason"),
                c.getHeaderField("Retry-After"), answer);
    }

    /**
     * Sends one operation, signed anew for each attempt. Busy answers (0300503, flow control, and for hash, download and
     * delete a gateway's 502/503/504) are retried after Retry-After, else 1, 2, 4 s. An upload answered 502 or 504 is not
     * retried, whatever the body says (the load balancer sends 0300503 with them): it may have been stored all the same.
     * A lost answer (time-out, reset) is retried only when the operation may be repeated, for the same reason.
     */
    Answer call(String op, String query, String json, boolean repeatable) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long waitMs = 1000L << (attempt - 1);
            try {
                Answer a = post(op, query, json);
                int s = a.status();
                // A 503 (0300503) and flow control did nothing; a 502 or 504 may come after an upload was stored.
                boolean gateway = s == 502 || s == 504;
                boolean busy = repeatable ? BUSY.contains(String.valueOf(a.resultCode())) || gateway || s == 503
                        : BUSY.contains(String.valueOf(a.resultCode())) && !gateway;
                if (!busy || attempt == ATTEMPTS) return a;
                if (a.retryAfter() != null && a.retryAfter().matches("\\d{1,3}")) waitMs = Long.parseLong(a.retryAfter()) * 1000;
                System.err.println(op + ": busy (HTTP " + s + ", " + a.resultCode() + "), retrying in " + waitMs + " ms");
            } catch (ConnectException | HttpConnectTimeoutException | SSLException e) { // nothing was sent: no server there, or its certificate not trusted
                throw e;
            } catch (IOException e) { // HttpTimeoutException, SocketTimeoutException, a reset connection or stream
                if (!repeatable) throw new IOException(op + ": the answer was lost (" + e + "); it may have been stored all the same", e);
                if (attempt == ATTEMPTS) throw e;
                System.err.println(op + ": " + e + ", retrying in " + waitMs + " ms");
            }
            Thread.sleep(waitMs);
        }
    }

    static class CcfsException extends IOException {
        final Answer answer;
        CcfsException(String op, Answer a) {
            super(op + ": HTTP " + a.status() + ", resultCode " + a.resultCode() + (a.reason() == null ? "" : ", " + a.reason()));
            answer = a;
        }
    }

    static Answer ok(String op, Answer a) throws CcfsException {
        if (a.status() != 200 || !"0".equals(a.resultCode())) throw new CcfsException(op, a);
        return a;
    }

    // ---- the four interfaces ----

    String upload(byte[] wav, int vdn) throws IOException, InterruptedException {
        // Base64.getEncoder(): one line. getMimeEncoder() breaks lines with CR LF, which is not valid inside a JSON string.
        String data = Base64.getEncoder().encodeToString(wav);
        return field(ok("uploadFile", call("uploadFile", "vdnId=" + vdn, message("data", data), false)).body(), "fileName");
    }

    String hash(String fileName) throws IOException, InterruptedException {
        return field(ok("getFileHash", call("getFileHash", null, message("fileName", fileName), true)).body(), "hash");
    }

    byte[] download(String filePath) throws IOException, InterruptedException {
        Answer a = call("downloadFile", null, message("filePath", filePath), true);
        // A success is the file itself (Application/Octet-stream;charset=UTF-8); a failure is the usual JSON.
        if (a.status() != 200 || !a.contentType().toLowerCase(Locale.ROOT).startsWith("application/octet-stream"))
            throw new CcfsException("downloadFile", a);
        return a.body();
    }

    /** False when there was no such file (0300011): also what a retry answers once a lost first attempt deleted it. */
    boolean delete(String fileName) throws IOException, InterruptedException {
        Answer a = call("deleteFile", null, message("fileName", fileName), true);
        if (a.status() == 200 && "0300011".equals(a.resultCode())) return false;
        ok("deleteFile", a);
        return true;
    }

    // ---- JSON, just enough of it ----

    static String message(String name, String value) {
        return "{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"" + name + "\":\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}";
    }

    static String field(byte[] json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(new String(json, StandardCharsets.UTF_8));
        return m.find() ? m.group(1).replace("\\/", "/") : null;
    }

    /** Trusts exactly the certificates of a PEM file, such as {DataDir}/tls/ccfs-selfsigned.pem. */
    static SSLContext trusting(Path pem) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ccfs" + i++, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--check-example")) { // docs/auth-v2.md's worked example
            String body = "{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"data\":\"UklGRjQAAABXQVZFZm10IBIAAAAGAAEAQB8AAEAfAAABAAgAAABmYWN0BAAAAAIAAABkYXRhAgAAANXV\"}}";
            System.out.println("Authorization: " + authorization("POST", BASE + "uploadFile", "vdnId=1", Map.of("content-length", "131",
                    "content-type", CONTENT_TYPE, "host", "127.0.0.1:8443"), body.getBytes(StandardCharsets.UTF_8), "ccfs-dev-ak",
                    "ccfs-dev-sk-not-for-production", "2026-11-24T08:00:00Z"));
            return;
        }
        String cacert = env("CCFS_CACERT", null);
        CcfsClient c = new CcfsClient(env("CCFS_ENDPOINT", "https://127.0.0.1:8443"), env("CCFS_ACCESS_KEY", "ccfs-dev-ak"),
                env("CCFS_SECRET_KEY", "ccfs-dev-sk-not-for-production"), cacert == null ? null : trusting(Path.of(cacert)),
                env("CCFS_TRANSPORT", "httpclient").equals("urlconnection"));
        byte[] wav = Files.readAllBytes(Path.of(args[0]));
        String local = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(wav));

        String name;
        try {
            name = c.upload(wav, Integer.parseInt(env("CCFS_VDN", "1")));
        } catch (IOException e) { // a refusal (CcfsException, with X-Ccfs-Reason), or no answer
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("uploaded   " + name);
        String remote = c.hash(name);
        System.out.println("hash       " + remote + (local.equals(remote) ? " (the local SHA-256)" : " differs from the local " + local));
        byte[] back = c.download(name);
        System.out.println("downloaded " + back.length + " bytes" + (Arrays.equals(back, wav) ? ", identical" : ", DIFFERENT"));
        System.out.println((c.delete(name) ? "deleted    " : "was gone   ") + name);
        if (!local.equals(remote) || !Arrays.equals(back, wav)) System.exit(1);
    }
}
