// How checks read in messages, the plan and the status: a URL's credentials never shown.
import { describe, expect, it } from "vitest";
import { describeCheck, redactUrl } from "../src/index.js";

describe("redactUrl", () => {
  it.each([
    ["http://127.0.0.1:8080/healthz", "http://127.0.0.1:8080/healthz"],
    ["http://user:pa55@db:9000/ping", "http://***@db:9000/ping"],
    ["https://api/ready?token=s3cr3t&x=1#frag", "https://api/ready?token=***&x=***"],
    ["not a url", "not a url"],
  ])("%s reads %s", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(describeCheck({ kind: "http", url })).toBe(`http ${shown}`);
  });
});
