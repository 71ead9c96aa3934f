/**
 * Object tags: the `x-amz-tagging` header (URL-encoded query form) and the `<Tagging>` document,
 * checked against S3's limits (User Guide, "Categorizing your storage using tags"; messages as
 * AWS answers them, quoted in terraform-provider-aws issues and matched by moto): at most 10 tags
 * (BadRequest), keys of 1 to 128 and values of up to 256 Unicode characters, letters, digits,
 * spaces and `+ - = . _ : / @`, no `aws:` prefix, no repeated key (InvalidTag).
 */
import { s3Errors } from "./errors.js";
import { elementOf, textOf, type XmlObject, type XmlValue } from "./xml.js";

export interface Tag {
  Key: string;
  Value: string;
}

export const tagsPerObjectMax = 10;
export const tagKeyCharactersMax = 128;
export const tagValueCharactersMax = 256;
const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Throws S3's error for the first limit a tag set breaks. */
export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > tagsPerObjectMax) throw s3Errors.tooManyTags();
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key === "" || !tagCharacters.test(Key)) throw s3Errors.invalidTag("The TagKey you have provided is invalid");
    if ([...Key].length > tagKeyCharactersMax) throw s3Errors.invalidTag(`The TagKey you have provided is too long, max ${tagKeyCharactersMax}`);
    if (!tagCharacters.test(Value)) throw s3Errors.invalidTag("The TagValue you have provided is invalid");
    if ([...Value].length > tagValueCharactersMax) throw s3Errors.invalidTag(`The TagValue you have provided is too long, max ${tagValueCharactersMax}`);
    if (Key.toLowerCase().startsWith("aws:")) throw s3Errors.invalidTag("Your TagKey cannot be prefixed with aws:");
    if (keys.has(Key)) throw s3Errors.invalidTag("Cannot provide multiple Tags with the same key");
    keys.add(Key);
  }
}

/** `k1=v1&k2=v2` as PutObject, CopyObject and CreateMultipartUpload take it. */
export function parseTaggingHeader(value: string): Tag[] {
  const invalid = () =>
    s3Errors.invalidArgument(
      "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
      "x-amz-tagging",
      value,
    );
  const tags: Tag[] = [];
  if (value === "") return tags;
  for (const part of value.split("&")) {
    const equals = part.indexOf("=");
    let key: string;
    let tagValue: string;
    try {
      key = decodeURIComponent((equals < 0 ? part : part.slice(0, equals)).replace(/\+/g, " "));
      tagValue = equals < 0 ? "" : decodeURIComponent(part.slice(equals + 1).replace(/\+/g, " "));
    } catch {
      throw invalid();
    }
    if (tags.some((tag) => tag.Key === key)) throw invalid();
    tags.push({ Key: key, Value: tagValue });
  }
  checkTags(tags);
  return tags;
}

/** The tag set of a PutObjectTagging body: `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>`. */
export function parseTaggingDocument(document: XmlObject | undefined): Tag[] {
  const tagging = elementOf(document?.["Tagging"]);
  const tagSet = elementOf(tagging?.["TagSet"]);
  if (tagSet === undefined) throw s3Errors.malformedXml();
  const entries = (tagSet["Tag"] ?? []) as XmlValue[];
  const tags = entries.map((entry) => {
    const tag = elementOf(entry);
    const key = textOf(tag?.["Key"]);
    const value = textOf(tag?.["Value"]);
    if (key === undefined || value === undefined) throw s3Errors.malformedXml();
    return { Key: key, Value: value };
  });
  checkTags(tags);
  return tags;
}

/** The element paths of a Tagging document that repeat. */
export const taggingArrays = ["Tagging.TagSet.Tag"];
