/**
 * The page's script, served as `/emulator/page.js`: it polls `GET /emulator/api/state` and
 * posts JSON to the mint and fault routes. Whatever comes from a request or a token is set with
 * `textContent`, never as markup.
 */
const script = String.raw`"use strict";
(function () {
  var next = 0;
  var rows = 0;
  var maxRows = 500;
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  var post = function (path, body) {
    return fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (json) { return { status: response.status, json: json }; }); });
  };
  var endpointName = function (path) {
    if (path === "/api/v1/token") return "token";
    if (path === "/api/v1/token/exchange") return "exchange";
    if (path === "/api/v1/introspect") return "introspect";
    return path;
  };
  var renderSetup = function (emulator) {
    var setup = $("setup");
    setup.replaceChildren();
    var pairs = [
      ["Sidecar", emulator.url],
      ["Grants", emulator.grants === null ? "every scope" : (emulator.grants.length === 0 ? "none" : emulator.grants.join(" "))],
      ["Entra ID applications", emulator.entraIdApplications === null ? "every application" : emulator.entraIdApplications.join(" ")],
      ["Organisation", emulator.organisationNumber],
      ["Token lifetime", emulator.tokenLifetimeSeconds + " s"]
    ];
    pairs.forEach(function (pair) { setup.append(el("dt", pair[0]), el("dd", pair[1])); });
    var body = $("providers").tBodies[0];
    body.replaceChildren();
    emulator.providers.forEach(function (p) {
      var row = el("tr");
      row.append(el("td", p.provider), el("td", p.enabled ? "yes" : "no", p.enabled ? "status-ok" : "status-bad"), el("td", p.issuer), el("td", p.clientId));
      body.append(row);
    });
  };
  var tokenCell = function (tokens) {
    var cell = el("td");
    (tokens || []).forEach(function (token) {
      var details = el("details");
      var summary = el("summary");
      summary.append(el("span", token.role + " "), el("span", token.fingerprint, "fingerprint"));
      details.append(summary, el("pre", token.claims === undefined ? "(not a JWT)" : JSON.stringify(token.claims, null, 2)));
      cell.append(details);
    });
    return cell;
  };
  var addEntry = function (entry) {
    var body = entry.body || {};
    var ok = typeof entry.answer === "number" && entry.answer < 400 && !entry.error;
    var answer = String(entry.answer) + (entry.error ? " " + entry.error : "") + (entry.fault ? " (fault: " + entry.fault + ")" : "");
    var row = el("tr");
    row.dataset.seq = String(entry.seq);
    row.append(
      el("td", new Date(entry.receivedAt).toLocaleTimeString()),
      el("td", entry.method + " " + endpointName(entry.path)),
      el("td", body.identity_provider === undefined ? "" : body.identity_provider),
      el("td", body.target === undefined ? "" : body.target),
      el("td", answer, ok ? "status-ok" : "status-bad"),
      el("td", entry.latencyMs === undefined ? "" : entry.latencyMs + " ms"),
      el("td", entry.fromCache === undefined ? "" : (entry.fromCache ? "hit" : "miss")),
      tokenCell(entry.tokens)
    );
    var tbody = $("log").tBodies[0];
    tbody.insertBefore(row, tbody.firstChild);
    rows++;
    if (rows > maxRows) { tbody.removeChild(tbody.lastChild); rows--; }
    $("log-empty").hidden = true;
  };
  var renderCounters = function (c, pending) {
    $("counters").textContent = c.requests + " requests: " + c.tokenRequests + " token, " + c.exchangeRequests + " exchange, " +
      c.introspectionRequests + " introspection; " + c.tokensIssued + " tokens issued, " + c.cacheHits + " answered from the sidecar's cache, " + c.faults + " faults.";
    $("pending").textContent = pending.length === 0 ? "none" : pending.join(", ");
  };
  var poll = function () {
    fetch("/emulator/api/state?after=" + next, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        $("connection").textContent = "Live: showing what the sidecar answered.";
        renderSetup(state.emulator);
        renderCounters(state.counters, state.pendingFaults);
        state.entries.forEach(addEntry);
        var more = state.entries.length >= 200;
        next = state.next;
        setTimeout(poll, more ? 0 : 1000);
      })
      .catch(function () {
        $("connection").textContent = "The emulator is not answering (restarting, or stopped). Trying again…";
        setTimeout(poll, 1000);
      });
  };
  var value = function (id) { var v = $(id).value.trim(); return v === "" ? undefined : v; };
  $("mint-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("mint-error").textContent = "";
    var request = { provider: $("provider").value };
    ["pid", "acr", "scope", "consumer", "groups", "roles", "client", "audience", "subject"].forEach(function (name) {
      var v = value(name);
      if (v !== undefined) request[name] = v;
    });
    if (value("expires") !== undefined) request.expiresIn = Number(value("expires"));
    if (value("claims") !== undefined) {
      try { request.claims = JSON.parse(value("claims")); } catch (e) { $("mint-error").textContent = "More claims: not a JSON object."; return; }
    }
    post("/emulator/api/tokens", request).then(function (answer) {
      if (answer.status !== 200) { $("mint-error").textContent = answer.json.error_description || "The emulator refused."; return; }
      $("minted").hidden = false;
      $("minted-token").value = answer.json.token;
      $("minted-fingerprint").textContent = answer.json.fingerprint;
      $("minted-claims").textContent = JSON.stringify(answer.json.claims, null, 2);
      $("copied").textContent = "";
      $("minted-token").focus();
      $("minted-token").select();
    }).catch(function () { $("mint-error").textContent = "The emulator is not answering."; });
  });
  $("copy").addEventListener("click", function () {
    var text = $("minted-token").value;
    var done = function () { $("copied").textContent = "Copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { $("copied").textContent = "Select the token and copy it (Ctrl+C)."; });
    } else {
      $("minted-token").select();
      $("copied").textContent = document.execCommand("copy") ? "Copied." : "Select the token and copy it (Ctrl+C).";
    }
  });
  var fault = function (body, said) {
    post("/emulator/api/faults", body).then(function (answer) {
      if (answer.status >= 400) { $("fault-result").textContent = answer.json.error_description; return; }
      $("fault-result").textContent = said;
      if (answer.json.pendingFaults) $("pending").textContent = answer.json.pendingFaults.length === 0 ? "none" : answer.json.pendingFaults.join(", ");
    }).catch(function () { $("fault-result").textContent = "The emulator is not answering."; });
  };
  $("fault-status").addEventListener("submit", function (event) {
    event.preventDefault();
    var times = Number($("status-times").value), status = Number($("status-code").value);
    fault({ fault: "status", status: status, times: times }, "Queued: the next " + times + " request(s) get " + status + ".");
  });
  $("fault-slow").addEventListener("submit", function (event) {
    event.preventDefault();
    var times = Number($("slow-times").value), seconds = Number($("slow-seconds").value);
    fault({ fault: "slow", seconds: seconds, times: times }, "Queued: the next " + times + " request(s) wait " + seconds + " s on the provider.");
  });
  $("fault-restart").addEventListener("submit", function (event) {
    event.preventDefault();
    var seconds = Number($("restart-seconds").value);
    fault({ fault: "restart", seconds: seconds }, "Restarting: connections are refused for " + seconds + " s.");
  });
  $("fault-clear").addEventListener("click", function () { fault({ fault: "clear" }, "Cleared the queued faults."); });
  poll();
})();
`

/** The page's script. */
export const pageScript = (): string => script
