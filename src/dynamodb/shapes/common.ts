/** Members several actions share, declared once (dynalite's validations/*.js list them per action). */
import type { MemberShape } from "./shape.js";

const comparisonOperators = ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"] as const;

export const returnConsumedCapacity: MemberShape = { type: "String", enum: ["INDEXES", "TOTAL", "NONE"] };
export const returnItemCollectionMetrics: MemberShape = { type: "String", enum: ["SIZE", "NONE"] };
export const returnValues: MemberShape = { type: "String", enum: ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"] };
export const returnValuesOnConditionCheckFailure: MemberShape = { type: "String", enum: ["ALL_OLD", "NONE"] };
export const conditionalOperator: MemberShape = { type: "String", enum: ["OR", "AND"] };
export const expected: MemberShape = {
  type: "StructMap",
  name: "ExpectedAttributeValue",
  member: {
    type: "Struct",
    name: "ExpectedAttributeValue",
    members: {
      AttributeValueList: { type: "List", member: { type: "AttributeValue" } },
      ComparisonOperator: { type: "String", enum: comparisonOperators },
      Exists: { type: "Boolean" },
      Value: { type: "AttributeValue" },
    },
  },
};
export const scanFilter: MemberShape = {
  type: "StructMap",
  name: "Condition",
  member: {
    type: "Struct",
    name: "Condition",
    members: {
      AttributeValueList: { type: "List", member: { type: "AttributeValue" } },
      ComparisonOperator: { type: "String", notNull: true, enum: comparisonOperators },
    },
  },
};
export const expressionAttributeValues: MemberShape = { type: "AttributeMap" };
export const expressionAttributeNames: MemberShape = { type: "StringMap" };
export const attributesToGet: MemberShape = { type: "List", lengthMin: 1, lengthMax: 255, member: { type: "String" } };
