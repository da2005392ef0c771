// The operations console: asks the radar's API for everything with the key the user
// entered (kept in sessionStorage, sent as X-API-Key). Data is only ever put into the
// page as text (textContent, attributes), never as HTML.
"use strict";

(() => {
  const KEY = "radar-api-key";
  const body = document.body;
  const root = body.dataset.root || "";
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
  ];
  let currentHost = null;
  let listRequest = 0;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  const MESSAGES = {
    401: "API 密钥不正确或已失效，请重新输入（密钥向雷达的运维人员索取）。",
    404: "没有找到：主播或这一周的名单不存在。",
    422: "请求不被接受：请检查筛选条件。",
    503: "还没有可用的模型：请先运行 radar train（或稍候，服务正在加载模型）。",
  };

  function say(text, kind = "info") {
    const message = $("message");
    message.textContent = text;
    message.className = `message ${kind}`;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function percent(value) {
    return `${Math.round(value * 100)}%`;
  }

  async function api(path, options = {}) {
    const key = sessionStorage.getItem(KEY);
    if (!key) throw new ApiError(401, "请输入 API 密钥后查看数据。");
    const headers = { "X-API-Key": key, ...(options.headers || {}) };
    let response;
    try {
      response = await fetch(root + path, { ...options, headers });
    } catch (error) {
      throw new ApiError(0, "无法连接到雷达服务，请稍后再试。");
    }
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      body.classList.remove("signed-in");
      $("data").hidden = true;
    }
    if (!response.ok) {
      throw new ApiError(response.status, MESSAGES[response.status] || `服务出错（${response.status}），请稍后再试。`);
    }
    return response;
  }

  async function json(path, options) {
    return (await api(path, options)).json();
  }

  function fail(error) {
    say(error instanceof ApiError ? error.message : `页面出错：${error}`, "error");
  }

  // --- the key ---------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) {
      say("请输入 API 密钥。", "error");
      return;
    }
    sessionStorage.setItem(KEY, key);
    $("api-key").value = "";
    await start();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    body.classList.remove("signed-in");
    $("data").hidden = true;
    say("已退出。请输入 API 密钥后查看数据。");
  }

  async function start() {
    if (!sessionStorage.getItem(KEY)) return;
    try {
      await showModel();
    } catch (error) {
      fail(error);
      if (error.status === 401) return;
    }
    body.classList.add("signed-in");
    $("data").hidden = false;
    say("已登录。搜索主播，或查看本周批量名单。", "ok");
    showBatch().catch(fail);
  }

  // --- the model -------------------------------------------------------------

  async function showModel() {
    const facts = $("model-facts");
    facts.replaceChildren();
    const model = await json("/v1/model");
    const monitoring = model.monitoring;
    const status = { ok: "正常", watch: "需要关注", act: "需要处理" };
    const rows = [
      ["版本", `${model.model_name} v${model.model_version}`],
      ["训练时间", model.trained_at],
      ["主题数", model.num_topics],
      ["匹配度", model.calibrated ? "已校准（可读作成交概率）" : "未校准"],
      ["监控状态", monitoring ? `${status[monitoring.status] || monitoring.status}（${new Date(monitoring.monitored_at).toLocaleString("zh-CN")}）` : "还没有监控记录（radar monitor）"],
    ];
    if (monitoring && Object.keys(monitoring.attention).length) {
      rows.push(["需关注的指标", Object.entries(monitoring.attention).map(([name, value]) => `${name}: ${status[value] || value}`).join("，")]);
    }
    for (const [term, value] of rows) {
      facts.append(el("dt", term), el("dd", value));
    }
  }

  // --- hosts -----------------------------------------------------------------

  async function search(event) {
    event.preventDefault();
    const query = $("host-query").value.trim();
    const results = $("search-results");
    results.replaceChildren();
    if (!query) return;
    try {
      const found = await json(`/v1/streamers?q=${encodeURIComponent(query)}&limit=20`);
      if (!found.items.length) {
        results.append(el("li", "没有匹配的主播。", "empty"));
        return;
      }
      for (const host of found.items) {
        const button = el("button", `${host.streamer_name}（${host.streamer_id}）`, "host-choice");
        button.type = "button";
        button.dataset.streamerId = host.streamer_id;
        button.addEventListener("click", () => openHost(host.streamer_id, host.streamer_name));
        const item = el("li");
        item.append(button);
        results.append(item);
      }
      const [first] = found.items;
      if (found.items.length === 1 || first.streamer_id === query) openHost(first.streamer_id, first.streamer_name);
    } catch (error) {
      fail(error);
    }
  }

  async function openHost(streamerId, name) {
    currentHost = streamerId;
    $("host").hidden = false;
    $("host-title").textContent = name ? `${name}（${streamerId}）` : streamerId;
    await Promise.all([showWeeks(streamerId).catch(fail), showList().catch(fail)]);
  }

  async function showWeeks(streamerId) {
    const weeks = $("host-weeks");
    const legend = $("topic-legend");
    weeks.replaceChildren();
    legend.replaceChildren();
    $("host-summary").textContent = "正在读取……";
    const profile = await json(`/v1/streamers/${encodeURIComponent(streamerId)}/weeks?weeks=8`);
    if (streamerId !== currentHost) return;
    $("host-summary").textContent = profile.summary;
    const labels = new Map();
    for (const week of profile.weeks) {
      for (const source of [week.talk, week.fans]) {
        for (const topic of source ? source.topics : []) labels.set(topic.topic, topic.label);
      }
      weeks.append(weekCard(week));
    }
    for (const [topic, label] of [...labels].sort((a, b) => a[0] - b[0])) {
      const item = el("span", label, "legend-item");
      item.style.setProperty("--swatch", PALETTE[topic % PALETTE.length]);
      legend.append(item);
    }
  }

  function weekCard(week) {
    const card = el("figure", null, "week");
    const width = 160;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width + 24} 36`);
    svg.setAttribute("width", String(width + 24));
    svg.setAttribute("height", "36");
    svg.setAttribute("role", "img");
    [["说", week.talk, 2], ["问", week.fans, 20]].forEach(([name, source, y]) => {
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", "0");
      label.setAttribute("y", String(y + 11));
      label.setAttribute("font-size", "11");
      label.textContent = name;
      svg.append(label);
      let x = 18;
      for (const topic of source ? source.topics : []) {
        const bar = document.createElementNS(SVG, "rect");
        const span = Math.max(1, topic.weight * width);
        bar.setAttribute("x", String(x));
        bar.setAttribute("y", String(y));
        bar.setAttribute("width", String(span));
        bar.setAttribute("height", "14");
        bar.setAttribute("fill", PALETTE[topic.topic % PALETTE.length]);
        const title = document.createElementNS(SVG, "title");
        title.textContent = `${name}：${topic.label} ${percent(topic.weight)}`;
        bar.append(title);
        svg.append(bar);
        x += span;
      }
      const rest = document.createElementNS(SVG, "rect");
      rest.setAttribute("x", String(x));
      rest.setAttribute("y", String(y));
      rest.setAttribute("width", String(Math.max(0, 18 + width - x)));
      rest.setAttribute("height", "14");
      rest.setAttribute("fill", "#e6e6e6");
      svg.append(rest);
    });
    const top = (source) => (source && source.topics.length ? source.topics[0].label : "—");
    const caption = el("figcaption");
    caption.append(el("strong", week.week), el("span", `说：${top(week.talk)}`), el("span", `问：${top(week.fans)}`));
    card.append(svg, caption);
    return card;
  }

  // --- the host's list -------------------------------------------------------

  function words(id) {
    return $(id).value.split(/[,，、\s]+/).map((word) => word.trim()).filter(Boolean);
  }

  function number(id) {
    const text = $(id).value.trim();
    return text === "" ? null : Number(text);
  }

  /** The body of POST /v1/recommend: empty filters and the default ranking left out. */
  function recommendBody() {
    const request = { streamer_id: currentHost };
    const topK = number("top-k");
    if (topK !== null) request.top_k = topK;
    const minFit = number("min-fit");
    if (minFit !== null) request.min_fit = minFit / 100;
    if ($("rank-by").value !== "fit") request.rank_by = $("rank-by").value;
    const filters = {};
    const lists = { categories: "categories", exclude_categories: "exclude-categories", exclude_product_ids: "exclude-product-ids" };
    for (const [field, id] of Object.entries(lists)) {
      const values = words(id);
      if (values.length) filters[field] = values;
    }
    const numbers = { price_min: "price-min", price_max: "price-max", margin_min: "margin-min", max_per_category: "max-per-category" };
    for (const [field, id] of Object.entries(numbers)) {
      const value = number(id);
      if (value !== null) filters[field] = value;
    }
    if ($("in-stock-only").value) filters.in_stock_only = $("in-stock-only").value === "true";
    if ($("listed-since").value) filters.listed_since = $("listed-since").value;
    if (Object.keys(filters).length) request.filters = filters;
    return request;
  }

  async function showList(event) {
    if (event) event.preventDefault();
    if (!currentHost) return;
    const ticket = ++listRequest;
    const rows = $("list").querySelector("tbody");
    const state = $("list-state");
    state.textContent = "正在读取……";
    let answer;
    try {
      answer = await recommend(recommendBody());
    } catch (error) {
      if (ticket === listRequest) {
        rows.replaceChildren();
        state.textContent = error.message;
      }
      throw error;
    }
    if (ticket !== listRequest) return;
    rows.replaceChildren();
    const reached = answer.items.filter((item) => !item.below_cut);
    const closest = answer.items.filter((item) => item.below_cut);
    state.textContent = listState(answer, reached.length);
    state.dataset.state = answer.state;
    for (const item of reached) rows.append(itemRow(item));
    if (closest.length) {
      const head = el("tr", null, "below-cut-head");
      const cell = el("td", "未达阈值的最接近商品");
      cell.colSpan = 7;
      head.append(cell);
      rows.append(head);
      for (const item of closest) rows.append(itemRow(item, "below-cut"));
    }
  }

  function recommend(request) {
    return json("/v1/recommend", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
  }

  function listState(answer, reached) {
    const cut = percent(answer.min_fit);
    if (answer.state === "insufficient_data") return "这位主播的文字太少，还不能推荐。";
    if (answer.state === "no_fitting_category") return answer.reason || "主播的内容和现有商品都不相符。";
    if (!reached) return `没有商品达到 ${cut} 的匹配度。`;
    return `模型 v${answer.model_version}：${reached} 件商品达到 ${cut} 的匹配度。`;
  }

  function itemRow(item, className) {
    const row = el("tr", null, className);
    const product = el("td");
    product.append(el("div", item.title), el("small", item.product_id, "muted"));
    const fit = el("td", percent(item.fit), "fit");
    if (!item.calibrated) fit.title = "未校准：只用于排序";
    const proposal = el("td", item.proposal_score === undefined || item.proposal_score === null ? "—" : percent(item.proposal_score));
    if (item.heat !== undefined) proposal.title = `热度 ${percent(item.heat)} · 粉丝需求 ${percent(item.fan_demand)} · 利润 ${percent(item.profit)}`;
    const reasons = el("td", null, "reasons");
    reasons.append(el("div", item.reasons.text));
    if (item.reasons.evidence && item.reasons.evidence.length) {
      const quotes = el("ul", null, "evidence");
      for (const line of item.reasons.evidence) quotes.append(el("li", `“${line}”`));
      reasons.append(quotes);
    }
    row.append(
      el("td", item.rank),
      product,
      el("td", item.category || "—"),
      el("td", item.price === undefined || item.price === null ? "—" : `¥${item.price}`),
      fit,
      proposal,
      reasons,
    );
    return row;
  }

  // --- the week's batch ------------------------------------------------------

  async function showBatch() {
    const week = $("batch-week").value;
    const rows = $("batch-hosts").querySelector("tbody");
    let batch;
    try {
      batch = await json(`/v1/batch?limit=200${week ? `&week=${encodeURIComponent(week)}` : ""}`);
    } catch (error) {
      if (error.status === 404) {
        $("batch-facts").textContent = "还没有发布的批量名单：运行 radar batch。";
        $("download-csv").disabled = $("download-xlsx").disabled = true;
        return;
      }
      throw error;
    }
    const select = $("batch-week");
    if (!select.options.length) {
      for (const published of batch.weeks) select.append(new Option(published.week, published.week));
    }
    select.value = batch.week.week;
    $("download-csv").disabled = !batch.downloads.includes("csv");
    $("download-xlsx").disabled = !batch.downloads.includes("xlsx");
    $("batch-facts").textContent =
      `${batch.week.week}：${batch.hosts_total} 位主播，${batch.week.row_count} 条推荐，模型 v${batch.week.model_version}，发布于 ${batch.week.published_at}` +
      (batch.hosts.length < batch.hosts_total ? `（表中列出前 ${batch.hosts.length} 位）` : "");
    rows.replaceChildren();
    for (const host of batch.hosts) {
      const row = el("tr");
      const open = el("button", host.streamer_id, "link");
      open.type = "button";
      open.addEventListener("click", () => {
        openHost(host.streamer_id, host.streamer_name);
        $("host-section").scrollIntoView();
      });
      const id = el("td");
      id.append(open);
      const count = host.below_cut ? `${host.items}（未达阈值 ${host.below_cut}）` : host.items;
      row.append(id, el("td", host.streamer_name || "—"), el("td", count), el("td", percent(host.best_fit)));
      rows.append(row);
    }
  }

  async function download(format) {
    const week = $("batch-week").value;
    try {
      const response = await api(`/v1/batch/download?format=${format}${week ? `&week=${encodeURIComponent(week)}` : ""}`);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `recommendations-${week || "latest"}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      say(`已下载 ${link.download}。`, "ok");
    } catch (error) {
      fail(error.status === 404 ? new ApiError(404, "这一周没有可下载的文件：运行 radar batch。") : error);
    }
  }

  // --- wiring ----------------------------------------------------------------

  $("key-form").addEventListener("submit", signIn);
  $("key-forget").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", search);
  $("filters").addEventListener("submit", (event) => showList(event).catch(fail));
  $("filters").addEventListener("change", () => showList().catch(fail));
  $("batch-week").addEventListener("change", () => showBatch().catch(fail));
  $("download-csv").addEventListener("click", () => download("csv"));
  $("download-xlsx").addEventListener("click", () => download("xlsx"));
  start();
})();
