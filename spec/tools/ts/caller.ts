// A small typed caller of both operations, written only against the types that
// openapi-typescript generates from openapi.yaml (./generated/wxpay.d.ts). It is never
// run: `make ts-check` compiles it with `tsc --noEmit`, so any spec change that breaks a
// TypeScript consumer (a removed field, a renamed parameter, a changed enum, a lost
// status code) fails CI without any of our Go code involved.
//
// Signing (Authorization) and answer verification (Wechatpay-Signature) are the
// caller's job; they are represented by the Signer and Verifier hooks.

import type { components, paths } from "./generated/wxpay";

// ---- types taken from the spec --------------------------------------------------------

type ChannelPath = "/v3/aggracct-bc/wb-channel/account/balance";
type ECommercePath = "/v3/ecommerce/fund/balance/{sub_mchid}";

type QueryAccountBalanceOp = paths[ChannelPath]["get"];
type QueryECommerceBalanceOp = paths[ECommercePath]["get"];

/** Query parameters of 查询渠道额度 (mchid, encrypted bal_account_no). */
export type QueryAccountBalanceParams = QueryAccountBalanceOp["parameters"]["query"];
/** Path parameters of 查询二级商户账户实时余额 (sub_mchid). */
export type QueryECommerceBalancePath = QueryECommerceBalanceOp["parameters"]["path"];
/** Query parameters of 查询二级商户账户实时余额 (optional account_type). */
export type QueryECommerceBalanceQuery = NonNullable<QueryECommerceBalanceOp["parameters"]["query"]>;

/** 200 body of 查询渠道额度. */
export type AccountBalance = QueryAccountBalanceOp["responses"][200]["content"]["application/json"];
/** 200 body of 查询二级商户账户实时余额. */
export type ECommerceBalance = QueryECommerceBalanceOp["responses"][200]["content"]["application/json"];
/** The sub-merchant account types (可选取值). */
export type AccountType = components["schemas"]["AccountType"];
/** WeChat Pay's error answer {code, message, detail}. */
export type WechatPayError = components["schemas"]["WechatPayError"];

/** HTTP statuses an operation documents as errors. */
type ErrorStatus<Op extends { responses: object }> = Exclude<keyof Op["responses"], 200>;

// The operations' error statuses, spelled out: if the spec drops or adds one, these
// records stop compiling and the caller's error handling must be revisited.
const channelErrorStatuses: Record<ErrorStatus<QueryAccountBalanceOp>, string> = {
  400: "参数错误或请求不符合规则",
  401: "签名验证不通过",
  429: "频率限制",
  500: "系统异常",
};
const ecommerceErrorStatuses: Record<ErrorStatus<QueryECommerceBalanceOp>, string> = {
  400: "参数错误或请求不符合规则",
  401: "签名验证不通过",
  403: "无权限或二级商户状态不允许",
  404: "资源不存在",
  429: "频率限制",
  500: "系统异常",
};

// Every account type has a label: adding or removing an enum value breaks this record.
const accountTypeLabels: Record<AccountType, string> = {
  BASIC: "基本账户",
  FEES: "手续费账户",
  OPERATION: "运营账户",
  DEPOSIT: "保证金账户",
};

// ---- a fetch-based caller -------------------------------------------------------------

/** Builds the Authorization header for METHOD, the path-and-query as sent, and the body. */
export type Signer = (method: "GET", pathAndQuery: string, body: string) => Promise<string>;
/** Verifies an answer's Wechatpay-* signature headers against its body; throws if invalid. */
export type Verifier = (headers: Headers, body: string) => Promise<void>;

/** Where and how to call WeChat Pay. */
export interface Client {
  baseUrl: "https://api.mch.weixin.qq.com" | "https://api2.mch.weixin.qq.com" | string;
  /** Wechatpay-Serial: the WeChat Pay public key ID or platform certificate serial. */
  wechatpaySerial: string;
  sign: Signer;
  verify: Verifier;
}

/** A documented error answer from WeChat Pay. */
export class WechatPayApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: WechatPayError,
    readonly requestId: string | null,
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

async function get<T>(client: Client, pathAndQuery: string, errorStatuses: Record<number, string>): Promise<T> {
  const authorization = await client.sign("GET", pathAndQuery, "");
  const res = await fetch(client.baseUrl + pathAndQuery, {
    method: "GET",
    headers: {
      Accept: "application/json",
      Authorization: authorization,
      "Wechatpay-Serial": client.wechatpaySerial,
    },
  });
  const text = await res.text();
  await client.verify(res.headers, text);
  if (res.ok) {
    return JSON.parse(text) as T;
  }
  const body = JSON.parse(text) as WechatPayError;
  const meaning = errorStatuses[res.status] ?? "undocumented status";
  const err = new WechatPayApiError(res.status, body, res.headers.get("Request-ID"));
  err.message += ` (${meaning})`;
  throw err;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) q.append(k, v);
  }
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/** GET /v3/aggracct-bc/wb-channel/account/balance — 查询渠道额度 (bal_account_no already encrypted). */
export function queryAccountBalance(client: Client, params: QueryAccountBalanceParams): Promise<AccountBalance> {
  const path: ChannelPath = "/v3/aggracct-bc/wb-channel/account/balance";
  return get<AccountBalance>(
    client,
    path + query({ mchid: params.mchid, bal_account_no: params.bal_account_no }),
    channelErrorStatuses,
  );
}

/** GET /v3/ecommerce/fund/balance/{sub_mchid} — 查询二级商户账户实时余额. */
export function queryECommerceBalance(
  client: Client,
  path: QueryECommerceBalancePath,
  params: QueryECommerceBalanceQuery = {},
): Promise<ECommerceBalance> {
  const p = `/v3/ecommerce/fund/balance/${encodeURIComponent(path.sub_mchid)}`;
  return get<ECommerceBalance>(client, p + query({ account_type: params.account_type }), ecommerceErrorStatuses);
}

// ---- how a consumer uses the answers --------------------------------------------------

/** One line about a sub-merchant's balance, in yuan. */
export function describeECommerceBalance(b: ECommerceBalance): string {
  // available_amount is required and an integer in fen; pending_amount is optional.
  const available: number = b.available_amount;
  const pending: number = b.pending_amount ?? 0;
  const type: AccountType = b.account_type ?? "BASIC";
  return `${b.sub_mchid} ${accountTypeLabels[type]}: ${(available / 100).toFixed(2)} yuan available, ${(pending / 100).toFixed(2)} pending`;
}

/** One line about a balance account's quota. */
export function describeAccountBalance(b: AccountBalance): string {
  const quota: number | undefined = b.balance;
  const inTransit: boolean | undefined = b.in_transit_reduction_exist;
  return `quota ${quota ?? "unknown"}${inTransit ? " (a reduction is in transit)" : ""}`;
}

/** An example run against both operations (values from WeChat Pay's pages). */
export async function example(client: Client): Promise<string[]> {
  const quota = await queryAccountBalance(client, {
    mchid: "1900016681",
    bal_account_no: "8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f",
  });
  const lines = [describeAccountBalance(quota)];
  for (const accountType of Object.keys(accountTypeLabels) as AccountType[]) {
    try {
      const b = await queryECommerceBalance(client, { sub_mchid: "1900000109" }, { account_type: accountType });
      lines.push(describeECommerceBalance(b));
    } catch (e) {
      if (e instanceof WechatPayApiError && e.status === 400 && e.body.code === "INVALID_REQUEST") {
        lines.push(`${accountType}: 输入账户类型未开通`);
        continue;
      }
      throw e;
    }
  }
  return lines;
}
