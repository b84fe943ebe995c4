package io.flowgate.testkit;

/**
 * Webhook bodies of Meta's {@code flows} field, copied from Meta's documentation, for the tests of
 * every module that handles them; sign them with {@link HubSignature}.
 *
 * <p>Source: Meta, <i>Flows Webhooks</i>,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/flows/reference/flowswebhooks
 * (Updated Mar 15, 2026; reference [META-FWH] in shared/reference/whatsapp-protocol.md §1.8), sections
 * "Status Change Webhook", "Client Error Rate Webhook", "Endpoint Error Rate Webhook", "Endpoint Latency
 * Webhook" and "Endpoint Availability Webhook". The bodies are Meta's examples field for field and value
 * for value, with two typing slips of the page corrected so that they are JSON: the trailing commas
 * after the last member of {@code errors}, {@code value} objects and array elements are dropped, and the
 * availability example's {@code "alert_state: "ACTIVATED"} has its closing quote. Tests may put their
 * own Flow id and entry time in place of Meta's ({@link #withFlow}), so that each finds its own rows.
 */
public final class MetaFlowsWebhooks {

    /** Meta's example Flow id of the alert webhooks (the status change examples use {@link #STATUS_FLOW_ID}). */
    public static final String ALERT_FLOW_ID = "691244242662581";
    public static final String STATUS_FLOW_ID = "6627390910605886";
    /** Meta's example entry times. */
    public static final long ALERT_TIME = 1674160476;
    public static final long STATUS_TIME = 1684969340;

    public static final String STATUS_CHANGE = """
            {
              "entry": [
                  {
                    "id": "644600416743275",
                    "time": 1684969340,
                    "changes": [
                      {
                        "value": {
                          "event": "FLOW_STATUS_CHANGE",
                          "message": "Flow Webhook 3 changed status from DRAFT to PUBLISHED",
                          "flow_id": "6627390910605886",
                          "old_status": "DRAFT",
                          "new_status": "PUBLISHED"
                        },
                        "field": "flows"
                      }
                    ]
                  }
                ],
                "object": "whatsapp_business_account"
            }
            """;

    public static final String CLIENT_ERROR_RATE = """
            {
              "entry": [
                {
                  "id": "106181168862417",
                  "time": 1674160476,
                  "changes": [
                    {
                      "value": {
                        "event": "CLIENT_ERROR_RATE",
                        "message": "The flow client request error rate has reached the 5% threshold in the last 60 minutes. A higher error rate will make it harder for users to complete the flow, resulting in drop-offs.",
                        "flow_id": "691244242662581",
                        "error_rate": 14.28,
                        "threshold": 10,
                        "alert_state": "ACTIVATED",
                        "errors": [
                          {
                            "error_type": "INVALID_SCREEN_TRANSITION",
                            "error_rate": 66.66,
                            "error_count": 2
                          },
                          {
                            "error_type": "PUBLIC_KEY_MISSING",
                            "error_rate": 33.33,
                            "error_count": 1
                          }
                        ]
                      },
                      "field": "flows"
                    }
                  ]
                }
              ],
              "object": "whatsapp_business_account"
            }
            """;

    public static final String ENDPOINT_ERROR_RATE = """
            {
              "entry": [
                {
                  "id": "106181168862417",
                  "time": 1674160476,
                  "changes": [
                    {
                      "value": {
                        "event": "ENDPOINT_ERROR_RATE",
                        "message": "The flow endpoint request error rate has reached the 10% threshold in the last 30 minutes. A higher error rate will make it harder for users to complete the flow, resulting in drop-offs.",
                        "flow_id": "691244242662581",
                        "error_rate": 14.28,
                        "threshold": 10,
                        "alert_state": "ACTIVATED",
                        "errors": [
                          {
                            "error_type": "CAPABILITY_ERROR",
                            "error_rate": 66.66,
                            "error_count": 2
                          },
                          {
                            "error_type": "TIMEOUT",
                            "error_rate": 33.33,
                            "error_count": 1
                          }
                        ]
                      },
                      "field": "flows"
                    }
                  ]
                }
              ],
              "object": "whatsapp_business_account"
            }
            """;

    public static final String ENDPOINT_LATENCY = """
            {
              "entry": [
                {
                  "id": "106181168862417",
                  "time": 1674160476,
                  "changes": [
                    {
                      "value": {
                        "event": "ENDPOINT_LATENCY",
                        "message": "Flow endpoint latency has reached the p90 threshold in the last 30 minutes. High latency will increase the loading time between screens in the flow, impacting user experience.",
                        "flow_id": "691244242662581",
                        "p90_latency": 8000,
                        "p50_latency": 500,
                        "requests_count": 34,
                        "threshold": 7000,
                        "alert_state": "ACTIVATED"
                      },
                      "field": "flows"
                    }
                  ]
                }
              ],
              "object": "whatsapp_business_account"
            }
            """;

    public static final String ENDPOINT_AVAILABILITY = """
            {
              "entry": [
                {
                  "id": "106181168862417",
                  "time": 1674160476,
                  "changes": [
                    {
                      "value": {
                        "event": "ENDPOINT_AVAILABILITY",
                        "message": "The flow endpoint availability has breached the 90% threshold in the last 10 minutes. Users will be unable to open or use the flow.",
                        "flow_id": "12345678",
                        "alert_state": "ACTIVATED",
                        "availability": 75,
                        "threshold" : 90
                      },
                      "field": "flows"
                    }
                  ]
                }
              ],
              "object": "whatsapp_business_account"
            }
            """;

    private MetaFlowsWebhooks() {
    }

    /**
     * One of the bodies above with the test's own Flow id and entry time in place of Meta's example
     * values (every Flow id of the examples: 691244242662581, 6627390910605886, 12345678).
     */
    public static String withFlow(String body, String flowId, long entryTime) {
        return body.replace("\"" + ALERT_FLOW_ID + "\"", "\"" + flowId + "\"")
                .replace("\"" + STATUS_FLOW_ID + "\"", "\"" + flowId + "\"")
                .replace("\"12345678\"", "\"" + flowId + "\"")
                .replace("\"time\": " + ALERT_TIME, "\"time\": " + entryTime)
                .replace("\"time\": " + STATUS_TIME, "\"time\": " + entryTime);
    }

    /** Replaces one {@code "name": value} of a body (e.g. {@code alert_state}, {@code new_status}). */
    public static String with(String body, String name, String oldJsonValue, String newJsonValue) {
        String from = "\"" + name + "\": " + oldJsonValue;
        if (!body.contains(from)) {
            throw new IllegalArgumentException("the body has no " + from);
        }
        return body.replace(from, "\"" + name + "\": " + newJsonValue);
    }
}
